/**
 * `powertrain scale` on Swarm: the service's replicas set (docker waits until the tasks run, and
 * Swarm gates them on their health check), and the count remembered in a service label so the
 * next deploy keeps it — while run.instances is the one it was scaled from and no --instances is given.
 */
import type { ScaleResult } from "../deploy/scale";
import { SwarmError } from "./errors";
import { withManager } from "./manager";
import type { SwarmOperationRequest } from "./operations";
import { instances, managerChoice, observeService, runningOf } from "./service";
import { serviceName, swarmSettings } from "./spec";

/** Service label: `<replicas>/<run.instances when scaled>`. */
export const SCALE_LABEL = "dev.powertrain.scale";

/** The replicas a deploy asks for, and the scale label it carries on (none once overridden). */
export function deployReplicas(
  labels: Record<string, string> | undefined,
  configured: number,
  explicit: number | undefined,
): { replicas: number; label?: string } {
  if (explicit !== undefined) return { replicas: explicit };
  const m = /^(\d+)\/(\d+)$/.exec(labels?.[SCALE_LABEL] ?? "");
  if (m && Number(m[2]) === configured) return { replicas: Number(m[1]), label: m[0] };
  return { replicas: configured };
}

export async function swarmScale(
  req: SwarmOperationRequest & { instances: number; dryRun?: boolean },
): Promise<ScaleResult[]> {
  const env = req.environment;
  const name = serviceName(env.app, env.name);
  return withManager(managerChoice(req, swarmSettings(env).context), async (manager) => {
    const before = await observeService(manager, name);
    const service = before.service;
    if (!service) {
      throw new SwarmError(`${name}: no such service on ${manager.name}; nothing to scale`, {
        hint: "deploy a version first (powertrain deploy)",
      });
    }
    const result = (from: number, running: ReturnType<typeof runningOf>): ScaleResult => ({
      host: manager.name,
      version: service.version,
      from,
      to: req.instances,
      started: [],
      removed: [],
      instances: instances(running, service.version),
    });
    req.logger.info(`${name}: scale ${service.version} from ${service.replicas} to ${req.instances} task(s)`);
    if (req.dryRun)
      return [{ ...result(service.replicas, runningOf(before, service.digest)), planned: true }];
    // Not detached: docker waits until the tasks run (and pass their health check) or fail.
    // The label remembers the count for the next deploy (a service label: no task restarts for it).
    const label = `${SCALE_LABEL}=${req.instances}/${env.run.instances}`;
    const r = await manager.run(
      [
        "docker",
        "service",
        "update",
        "--detach=false",
        "--no-resolve-image",
        "--replicas",
        String(req.instances),
        "--label-add",
        label,
        name,
      ],
      { allowFailure: true },
    );
    if (r.exitCode !== 0) {
      throw new SwarmError(`${name}: scaling failed: ${(r.stderr || r.stdout).trim()}`);
    }
    const after = await observeService(manager, name);
    return [result(service.replicas, runningOf(after, service.digest))];
  });
}
