/** `powertrain ps --env NAME`: what runs on every host (`status` without --env is the fleet view). */
import { type ContainerStatus, engineFor, shortDigest } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { engineRequest, loadTargetEnvironment, type TargetFlags, targetOptions } from "../target";

export function registerPs(program: Command, ctx: CliContext): void {
  targetOptions(
    program
      .command("ps")
      .description("Per host: the app's containers, version, digest, ports, health, uptime."),
  ).action(async (flags: TargetFlags) => {
    const environment = await loadTargetEnvironment(flags);
    const list = await engineFor(environment).status(engineRequest(flags, environment, ctx));
    if (flags.json) ctx.out.write(`${JSON.stringify(list, null, 2)}\n`);
    else ctx.out.write(formatTable(list));
  });
}

export function formatTable(list: ContainerStatus[]): string {
  // Behind a load balancer: each container's share of its host's traffic (the canary split).
  const routed = list.some((c) => c.share !== undefined);
  const rows = [["HOST", "CONTAINER", "STATE", "HEALTH", "VERSION", "DIGEST", "PORTS", "UPTIME"]];
  if (routed) rows[0]!.push("TRAFFIC");
  for (const c of list) {
    const row = [
      c.host,
      c.container,
      c.state,
      c.health ?? "-",
      c.version,
      shortDigest(c.digest),
      c.ports.join(",") || "-",
      c.uptimeSeconds === undefined ? "-" : `${c.uptimeSeconds}s`,
    ];
    if (routed) row.push(`${c.share ?? 0}%${c.canary ? " (canary)" : ""}`);
    rows.push(row);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}
