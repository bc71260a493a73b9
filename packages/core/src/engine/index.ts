/** Which engine deploys an environment: decided here, and nowhere else. */
import { sshEngine } from "../deploy/engine";
import { UsageError } from "../errors";
import { swarmEngine } from "../swarm/engine";
import type { DeployEngine } from "./types";

export * from "./errors";
export * from "./types";

/** The engine of an environment: deploy.engine, unset = ssh. */
export function engineFor(environment: { deploy: { engine?: string } }): DeployEngine {
  switch (environment.deploy.engine ?? "ssh") {
    case "ssh":
      return sshEngine;
    case "swarm":
      return swarmEngine;
    default:
      throw new UsageError(`deploy.engine "${environment.deploy.engine}": expected ssh or swarm`);
  }
}
