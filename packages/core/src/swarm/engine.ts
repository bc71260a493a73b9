/** The Swarm engine behind the engine seam (engine/types.ts). */
import { EngineUnsupportedError } from "../engine/errors";
import type { DeployEngine } from "../engine/types";
import { defaultVersion } from "../image/reference";
import { swarmDeploy } from "./deploy";
import { swarmLogs, swarmRollback, swarmStatus, swarmStop } from "./operations";

const canary = () =>
  Promise.reject(
    new EngineUnsupportedError(
      "swarm",
      "canary",
      "Swarm updates services rolling; use engine ssh with a deploy.router",
    ),
  );

export const swarmEngine: DeployEngine = {
  name: "swarm",
  deploy: (req) =>
    swarmDeploy({
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
  promoteCanary: canary,
  abortCanary: canary,
  analyzeCanary: canary,
  compareCanary: canary,
};
