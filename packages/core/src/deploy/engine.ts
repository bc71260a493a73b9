/** The SSH engine behind the engine seam (engine/types.ts): plain Docker hosts reached over SSH. */
import type { DeployEngine, EngineRequest } from "../engine/types";
import { defaultVersion } from "../image/reference";
import { analyzeCanary, compareCanary } from "./analysis";
import { abortCanary, promoteCanary } from "./canary";
import { resolveEnvReferences } from "./env";
import { runOneOff } from "./one-off";
import { logs, type OperationRequest, status, stop } from "./operations";
import { rollback } from "./rollback";
import { deploy } from "./rollout";
import { scale } from "./scale";

/** The engine request as the SSH operations take it (they resolve references per version started). */
function operation<R extends EngineRequest>(req: R): R & OperationRequest {
  return { ...req, referenceSource: req.envSource };
}

export const sshEngine: DeployEngine = {
  name: "ssh",
  deploy: ({ envSource, ...req }) => {
    if (!envSource) return deploy(req);
    const source = { POWERTRAIN_VERSION: req.version ?? defaultVersion(req.image), ...envSource };
    const env = req.environment;
    const resolved = resolveEnvReferences(env.run.env, source, req.logger);
    return deploy({ ...req, environment: { ...env, run: { ...env.run, env: resolved } } });
  },
  rollback: (req) => rollback(operation(req)),
  status: (req) => status(operation(req)),
  logs: (req, write) => logs(operation(req), write),
  stop: (req) => stop(operation(req)),
  scale: (req) => scale(operation(req)),
  promoteCanary: (req) => promoteCanary(operation(req)),
  abortCanary: (req) => abortCanary(operation(req)),
  run: (req) => runOneOff(operation(req)),
  analyzeCanary: (req) => analyzeCanary(operation(req)),
  compareCanary: (req) => compareCanary(operation(req)),
};
