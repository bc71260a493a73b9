/** The Swarm secrets powertrain creates for a service: made before an update, pruned after. */
import type { Logger } from "../log";
import { SwarmError } from "./errors";
import type { SwarmManager } from "./manager";
import { observeService } from "./service";
import { SECRET_SERVICE_LABEL, type SwarmEnvironment } from "./spec";

export async function createSecrets(
  manager: SwarmManager,
  env: SwarmEnvironment,
  service: string,
  mounts: { name: string; target: string }[],
  values: Record<string, string>,
  log: Logger,
): Promise<void> {
  if (mounts.length === 0) return;
  const existing = await ourSecrets(manager, service);
  for (const m of mounts) {
    if (existing.includes(m.name)) continue;
    const value = values[m.target]!;
    const r = await manager.run(
      [
        "docker",
        "secret",
        "create",
        "--label",
        `dev.powertrain.app=${env.app}`,
        "--label",
        `dev.powertrain.environment=${env.name}`,
        "--label",
        `${SECRET_SERVICE_LABEL}=${service}`,
        m.name,
        "-",
      ],
      { input: value, allowFailure: true, secrets: [value] },
    );
    if (r.exitCode !== 0)
      throw new SwarmError(`${service}: creating secret ${m.name} failed: ${(r.stderr || r.stdout).trim()}`);
    log.info(`${service}: created secret ${m.name} for ${m.target}`);
  }
}

export async function ourSecrets(manager: SwarmManager, service: string): Promise<string[]> {
  const r = await manager.run([
    "docker",
    "secret",
    "ls",
    "--filter",
    `label=${SECRET_SERVICE_LABEL}=${service}`,
    "--format",
    "{{.Name}}",
  ]);
  return r.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Secrets neither the current nor the previous spec (rollback target) uses are removed. */
export async function pruneSecrets(manager: SwarmManager, service: string, log: Logger): Promise<void> {
  const obs = await observeService(manager, service);
  const used = new Set([...(obs.service?.current.secrets ?? []), ...(obs.service?.previous?.secrets ?? [])]);
  const stale = (await ourSecrets(manager, service)).filter((s) => !used.has(s));
  if (stale.length === 0) return;
  await manager.run(["docker", "secret", "rm", ...stale], { allowFailure: true });
  log.debug(`${service}: removed unused secrets ${stale.join(", ")}`);
}
