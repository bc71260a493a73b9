/**
 * One deploy hook on one host: a one-off container of the new image with the environment's run
 * configuration (env, network, volumes, user… — the instances' own `docker run` arguments, less
 * ports, restart policy and the user's labels), its output streamed into the log, to its end or
 * its time limit (kept on the host by remote/hook.sh, which always removes the container).
 * The orchestration around a rollout (which hook, which hosts, when) is hooks-rollout.ts.
 */
import { randomBytes } from "node:crypto";
import type { HookName, ResolvedHook } from "../config/hooks";
import { shellCommand } from "../exec/quote";
import type { Logger } from "../log";
import { runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import { envPayload } from "./env";
import { DeployError } from "./errors";
import { dockerRunArgs, type InstanceSpec } from "./run-args";
import type { DeployRunConfig } from "./types";

/**
 * The labels of a one-off container (a hook, `powertrain run`). It carries none of the instance
 * labels (dev.powertrain.app…), so no observation, status, rollback or router ever counts it as an
 * instance; nor the user's run.labels, which may tell a proxy to route to it.
 */
export const ONE_OFF_LABEL = {
  kind: "dev.powertrain.one-off",
  app: "dev.powertrain.one-off.app",
  environment: "dev.powertrain.one-off.environment",
  version: "dev.powertrain.one-off.version",
} as const;

/** Lines of a failed hook's output its error quotes. */
const TAIL_LINES = 20;

/** What a one-off container is: whose, of which version, for what. */
export interface OneOff {
  app: string;
  environment: string;
  version: string;
  /** Pinned image reference. */
  image: string;
  /** A hook's name, or "run" for `powertrain run`. */
  kind: HookName | "run";
  run: DeployRunConfig;
  command: string[];
}

/** `<app>-<env>-<kind>-<random>`: valid for docker, and says what it is in `docker ps`. */
export function oneOffName(o: Pick<OneOff, "app" | "environment" | "kind">): string {
  return `${o.app}-${o.environment}-${o.kind}-${randomBytes(4).toString("hex")}`;
}

/**
 * `docker run -d` (or `docker create`) arguments of a one-off container: the instances' own
 * (run-args.ts) with no ports, no restart policy, one-off labels only, and `command` in place of
 * run.command. Env values travel as for the instances: an env file on stdin.
 */
export function oneOffArgs(
  o: OneOff,
  name: string,
  mode: { create?: false } | { create: true; tty: boolean },
): string[] {
  const run: DeployRunConfig = { ...o.run, ports: [], labels: {}, restart: "no", command: o.command };
  const labels = {
    [ONE_OFF_LABEL.kind]: o.kind,
    [ONE_OFF_LABEL.app]: o.app,
    [ONE_OFF_LABEL.environment]: o.environment,
    [ONE_OFF_LABEL.version]: o.version,
  };
  const instance: InstanceSpec = { name, hostPorts: [], labels };
  const args = dockerRunArgs(run, instance, { image: o.image });
  if (args[0] !== "run" || args[1] !== "-d") throw new Error("dockerRunArgs: expected run -d first");
  if (!mode.create) return args;
  // --rm: should the caller go away mid-way (Ctrl-C, a lost link), docker removes it once it ends.
  return ["create", "--rm", "-i", ...(mode.tty ? ["-t"] : []), ...args.slice(2)];
}

export type HookOutcome =
  | { status: "exit"; exitCode: number; tail: string[] }
  | { status: "timeout"; tail: string[] }
  | { status: "start-failed"; message: string; tail: string[] };

/** A hook that failed, timed out or could not start; the message names the exit status and last lines. */
export class HookError extends DeployError {
  constructor(
    readonly hook: HookName,
    readonly host: string,
    readonly outcome: HookOutcome,
    limitMs: number,
  ) {
    super(`${host}: hook ${hook} ${describeOutcome(outcome, limitMs)}${tailText(outcome)}`, {
      hint: HINTS[hook],
    });
  }
}

const HINTS: Record<HookName, string> = {
  "pre-deploy": "no instance was changed: the old version keeps serving",
  "post-deploy":
    "the new version serves and stays (a post-deploy hook does not roll back): re-run its task with powertrain run, or powertrain rollback",
  "on-failure": "the deploy had failed already",
};

function describeOutcome(o: HookOutcome, limitMs: number): string {
  if (o.status === "timeout")
    return `timed out after ${limitSeconds(limitMs)} s: its container was killed and removed`;
  if (o.status === "start-failed") return `could not start: ${o.message}`;
  return `failed with exit status ${o.exitCode}`;
}

function tailText(o: HookOutcome): string {
  return o.tail.length ? `\nlast lines of its output:\n${o.tail.map((l) => `  ${l}`).join("\n")}` : "";
}

/** The limit hook.sh keeps: whole seconds (`sleep`), at least one. */
function limitSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export interface HookRun {
  name: HookName;
  hook: ResolvedHook;
  oneOff: Omit<OneOff, "kind" | "command">;
  /** Variables the hook sees besides run.env (POWERTRAIN_HOOK…); they win over run.env's. */
  env: Record<string, string>;
  logger: Logger;
}

/** Run one hook on `host`, its output in the log under a group; throws HookError unless it exits 0. */
export async function runHook(host: RemoteHost, h: HookRun): Promise<void> {
  const oneOff: OneOff = { ...h.oneOff, kind: h.name, command: h.hook.command };
  const env = { ...oneOff.run.env, ...h.env };
  const t0 = Date.now();
  const outcome = await h.logger.group(`hook ${h.name} on ${host.name}`, () =>
    runOneOff(
      host,
      { ...oneOff, run: { ...oneOff.run, env } },
      h.hook.timeoutMs,
      h.logger,
      secretsOf(oneOff.run.env),
    ),
  );
  if (outcome.status === "exit" && outcome.exitCode === 0) {
    h.logger.info(`${host.name}: hook ${h.name} done in ${Date.now() - t0} ms`);
    return;
  }
  throw new HookError(h.name, host.name, outcome, h.hook.timeoutMs);
}

/** The run configuration's values, masked in the hook's output as in the instances' start. */
export function secretsOf(env: Record<string, string>): string[] {
  return Object.values(env).filter((v) => v.length >= 4);
}

/** remote/hook.sh: start, stream, wait (or kill at the limit), remove; the outcome from its marker line. */
async function runOneOff(
  host: RemoteHost,
  o: OneOff,
  limitMs: number,
  log: Logger,
  secrets: string[],
): Promise<HookOutcome> {
  const name = oneOffName(o);
  const token = randomBytes(8).toString("hex");
  const marker = `@@hook-${token} `;
  const tail: string[] = [];
  let result: string | undefined;
  const r = await runScript(
    host,
    "hook",
    [name, String(limitSeconds(limitMs)), shellCommand(["docker", ...oneOffArgs(o, name, {})]), token],
    {
      input: envPayload(o.run.env),
      allowFailure: true,
      // The hook's own limit is kept on the host; the command's is that plus the usual margin.
      waitsMs: limitMs,
      secrets,
      onLine: (line) => {
        if (line.startsWith(marker)) {
          result = line.slice(marker.length).trim();
          return;
        }
        log.info(line);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      },
    },
  );
  const exit = /^exit (\d+)$/.exec(result ?? "");
  if (exit) return { status: "exit", exitCode: Number(exit[1]), tail };
  if (result === "timeout") return { status: "timeout", tail };
  // Nothing else printed by the script: docker's own message (start-failed) is the last output line.
  const message =
    (result === "start-failed" ? tail.pop() : undefined) ?? `the hook script exited with ${r.exitCode}`;
  return { status: "start-failed", message, tail };
}
