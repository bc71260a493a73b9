/** `powertrain scale` on Swarm: `docker service scale`, which waits until the tasks run (Swarm gates on health). */
import type { ScaleResult } from "../deploy/scale";
import { SwarmError } from "./errors";
import { withManager } from "./manager";
import type { SwarmOperationRequest } from "./operations";
import { instances, managerChoice, observeService, runningOf } from "./service";
import { serviceName, swarmSettings } from "./spec";

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
    const r = await manager.run(["docker", "service", "scale", `${name}=${req.instances}`], {
      allowFailure: true,
    });
    if (r.exitCode !== 0) {
      throw new SwarmError(`${name}: docker service scale failed: ${(r.stderr || r.stdout).trim()}`);
    }
    const after = await observeService(manager, name);
    return [result(service.replicas, runningOf(after, service.digest))];
  });
}
