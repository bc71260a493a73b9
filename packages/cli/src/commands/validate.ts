/** `powertrain validate [file] [--env NAME] [--json]`: check a config and show an environment's resolved run configuration. */
import {
  DEFAULT_CONFIG_FILE,
  explainRuntime,
  loadConfig,
  type ResolvedEnvironment,
  resolveEnvironment,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command("validate")
    .description("Check powertrain.yml and print the resolved run configuration of an environment.")
    .argument("[file]", "the config file", DEFAULT_CONFIG_FILE)
    .option("-e, --env <name>", "environment to resolve (default: the top-level run configuration)")
    .option("--json", "print the resolved configuration as JSON on stdout")
    .action(async (file: string, options: { env?: string; json?: boolean }) => {
      const { config, file: loaded } = await loadConfig(file);
      const resolved = resolveEnvironment(config, options.env, loaded);
      if (options.json) {
        ctx.out.write(`${JSON.stringify(resolved, null, 2)}\n`);
      } else {
        ctx.logger.info(`${file} is valid`);
        ctx.logger.info(describeResolved(resolved));
      }
    });
}

/** A compact, aligned listing for people. */
export function describeResolved(env: ResolvedEnvironment): string {
  const { run, deploy } = env;
  const image = env.image.registry ? `${env.image.registry}/${env.image.repository}` : env.image.repository;
  const ports = run.ports.map((p) => {
    const host = p.host
      ? p.host.from === p.host.to
        ? `${p.host.from}`
        : `${p.host.from}-${p.host.to}`
      : "auto";
    return `${host}→${p.container}/${p.protocol}`;
  });
  const health = run.health
    ? [
        run.health.http
          ? `http ${run.health.http}`
          : run.health.tcp
            ? "tcp"
            : `command ${run.health.command?.join(" ")}`,
        run.health.port ? `on port ${run.health.port}` : "",
      ]
        .join(" ")
        .trim()
    : "image HEALTHCHECK";
  const rows: [string, string][] = [
    ["environment", env.name],
    ["app", env.app],
    ["image", image],
    [
      "hosts",
      env.hosts
        .map((h) => `${h.user ? `${h.user}@` : ""}${h.host}${h.port ? `:${h.port}` : ""}`)
        .join(", ") || "-",
    ],
    ...(env.url ? [["url", env.url] as [string, string]] : []),
    ["instances", String(run.instances)],
    ["ports", ports.join(", ") || "-"],
    ["env", Object.keys(run.env).join(", ") || "-"],
    [
      "volumes",
      run.volumes.map((v) => `${v.source}:${v.target}${v.readOnly ? ":ro" : ""}`).join(", ") || "-",
    ],
    ["health", health],
    ["init", String(run.init)],
    ["restart", run.restart],
    ["stop", `${run.stopSignal ?? "image STOPSIGNAL"}, ${run.stopTimeoutMs / 1000}s before SIGKILL`],
    ["deploy", `${deploy.strategy}, ${deploy.maxParallel} host(s) at a time, keep ${deploy.keep}`],
  ];
  if (run.memory !== undefined) rows.push(["memory", `${run.memory} bytes`]);
  if (run.command) rows.push(["command", JSON.stringify(run.command)]);
  rows.push(...explainRuntime(run));
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n");
}
