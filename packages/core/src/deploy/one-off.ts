/**
 * `powertrain run`: a one-off container of the version the host serves now (its last recorded
 * deploy's, else its newest serving container's), with the environment's run configuration, attached
 * to the caller's terminal (a console) or pipes (a task), its exit status passed through.
 * The container is created first (one-off-create.sh: env values on stdin, as for the instances),
 * then started attached (`docker start -a -i`), and removed whatever happens.
 */
import { UsageError } from "../errors";
import { shellCommand } from "../exec/quote";
import { runScript } from "../remote";
import { describeTarget } from "../ssh/target";
import { envPayload, runFor } from "./env";
import { DeployError } from "./errors";
import { hostScope } from "./executor";
import { type OneOff, oneOffArgs, oneOffName, secretsOf } from "./hooks";
import { withHosts } from "./hosts";
import { observeHost } from "./observe";
import type { OperationRequest } from "./operations";
import { isServing } from "./planner";

export interface OneOffRequest extends OperationRequest {
  /** What the container runs (after the entrypoint). */
  command: string[];
  /** Give it a terminal (`docker create -t`, `ssh -t`): when the caller's stdin is one. */
  tty: boolean;
  /** Say what would run, run nothing. */
  dryRun?: boolean;
}

export interface OneOffResult {
  host: string;
  version: string;
  /** The docker command line (env values are not in it: they travel on stdin). */
  command: string;
  /** The container's exit status; undefined on a dry run. */
  exitCode?: number;
}

export async function runOneOff(req: OneOffRequest): Promise<OneOffResult> {
  const env = req.environment;
  const target = (req.hosts ?? env.hosts)[0];
  if (!target) throw new UsageError(`environment "${env.name}" has no hosts to run on`);
  if (req.command.length === 0) throw new UsageError("run: give the command after --");
  return withHosts(req, async (session) => {
    const host = await session.connect(target);
    const observed = await observeHost(
      host,
      hostScope({ app: env.app, environment: env.name }, host, req.hostScope),
      "none",
    );
    // The last recorded deploy's version while it serves (a canary beside it is not "deployed" yet).
    const serving = observed.containers.filter(isServing).sort((a, b) => b.created.localeCompare(a.created));
    const last = observed.history.at(-1);
    const current = serving.find((c) => c.digest === last?.digest) ?? serving[0];
    if (!current?.image) {
      throw new UsageError(`${host.name}: nothing of ${env.app} is deployed in ${env.name}: deploy first`);
    }
    const oneOff: OneOff = {
      app: env.app,
      environment: env.name,
      version: current.version,
      image: current.image,
      kind: "run",
      run: runFor(env.run, current.version, req),
      command: req.command,
    };
    const name = oneOffName(oneOff);
    const command = shellCommand(["docker", ...oneOffArgs(oneOff, name, { create: true, tty: req.tty })]);
    const result: OneOffResult = { host: describeTarget(target), version: current.version, command };
    if (req.dryRun) return result;
    if (!host.attach) throw new DeployError(`${host.name}: this host connection cannot attach a terminal`);
    const created = await runScript(host, "one-off-create", [command], {
      input: envPayload(oneOff.run.env),
      allowFailure: true,
      secrets: secretsOf(oneOff.run.env),
    });
    if (created.exitCode !== 0) {
      throw new DeployError(
        `${host.name}: creating the container failed: ${(created.stderr || created.stdout).trim()}`,
      );
    }
    try {
      req.logger.info(`${host.name}: running ${req.command.join(" ")} in ${current.version} (${name})`);
      result.exitCode = await host.attach(["docker", "start", "-a", "-i", name], { tty: req.tty });
      return result;
    } finally {
      await host.run(["docker", "rm", "-f", name], { allowFailure: true });
    }
  });
}
