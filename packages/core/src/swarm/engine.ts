/** The Swarm engine behind the engine seam (engine/types.ts). */
import { EngineUnsupportedError } from "../engine/errors";
import type { DeployEngine } from "../engine/types";
import { defaultVersion } from "../image/reference";
import { swarmDeploy } from "./deploy";
import { swarmLogs, swarmRollback, swarmStatus, swarmStop } from "./operations";
import { swarmScale } from "./scale";

const canary = () =>
  Promise.reject(
    new EngineUnsupportedError(
      "swarm",
      "canary",
      "Swarm updates services rolling; use engine ssh with a deploy.router",
    ),
  );

/**
 * Hooks and one-off containers need a host to run a container on with the service's settings; a
 * Swarm service has no such place (a one-off task would need its own service). Said plainly.
 */
const NO_ONE_OFF =
  "a Swarm service has no one-off containers; run the task as its own service, or use engine ssh";

export const swarmEngine: DeployEngine = {
  name: "swarm",
  deploy: (req) =>
    req.environment.deploy.hooks
      ? Promise.reject(new EngineUnsupportedError("swarm", "deploy hooks (deploy.hooks)", NO_ONE_OFF))
      : swarmDeploy({
          ...req,
          environment: req.environment,
          // Swarm resolves references itself: referenced values become Swarm secrets.
          envSource: req.envSource && {
            POWERTRAIN_VERSION: req.version ?? defaultVersion(req.image),
            ...req.envSource,
          },
        }),
  rollback: (req) => swarmRollback(req),
  status: (req) => swarmStatus(req),
  logs: (req, write) => swarmLogs(req, write),
  stop: (req) => swarmStop(req),
  scale: (req) => swarmScale(req),
  promoteCanary: canary,
  abortCanary: canary,
  run: () => Promise.reject(new EngineUnsupportedError("swarm", "run", NO_ONE_OFF)),
  analyzeCanary: canary,
  compareCanary: canary,
};
