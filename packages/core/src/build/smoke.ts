/**
 * The optional smoke test: start the built image with a run configuration on
 * a private docker network, wait until it is healthy, run a test command (in
 * the built image, or in a test image) against it, and tear everything down
 * whatever happens. The test container reaches the app as host `app`;
 * SMOKE_HOST, SMOKE_PORT and SMOKE_URL say where.
 */
import { randomBytes } from "node:crypto";
import { mergeOverlay } from "../config/merge";
import type { BuildSettings, PowertrainConfig, RunConfig } from "../config/schema";
import { parseDuration } from "../config/units";
import {
  containerLogTail,
  containerState,
  createNetwork,
  removeContainer,
  removeNetwork,
} from "../docker/container";
import { docker } from "../docker/docker";
import { UsageError } from "../errors";
import { shellCommand, shellQuote } from "../exec/quote";
import type { Logger } from "../log";
import { tail } from "./test-stage";

export interface SmokeTestOptions {
  image: string;
  config: PowertrainConfig;
  /** Run configuration to start: an environment of powertrain.yml, or "ci" (falls back to the top-level run). */
  environment: string;
  settings: NonNullable<BuildSettings["smoke-test"]>;
  logger: Logger;
}

export interface SmokeTestResult {
  passed: boolean;
  message: string;
  durationMs: number;
}

const APP_ALIAS = "app";
const DEFAULT_TIMEOUT_MS = 60_000;

export async function smokeTest(options: SmokeTestOptions): Promise<SmokeTestResult> {
  const { logger, settings } = options;
  const run = smokeRunConfig(options.config, options.environment);
  const timeoutMs = settings.timeout !== undefined ? parseDuration(settings.timeout) : DEFAULT_TIMEOUT_MS;
  const id = randomBytes(4).toString("hex");
  const network = `powertrain-smoke-${id}`;
  const app = `${network}-app`;
  const tester = `${network}-test`;
  const started = Date.now();
  const done = (passed: boolean, message: string): SmokeTestResult => ({
    passed,
    message,
    durationMs: Date.now() - started,
  });
  await createNetwork(network, logger, { "dev.powertrain.smoke-test": options.image });
  try {
    const port = appPort(run);
    await docker(
      [
        "run",
        "--detach",
        "--name",
        app,
        "--network",
        network,
        "--network-alias",
        APP_ALIAS,
        ...runArgs(run, port),
        options.image,
        ...commandArgs(run),
      ],
      { logger },
    );
    const ready = await waitUntilReady(app, started + timeoutMs, logger);
    if (ready !== "ready") return done(false, `smoke test: the app did not become healthy: ${ready}`);
    logger.info("smoke test: the app is up");
    if (!settings.command && !settings.image) return done(true, "the app started and is healthy");

    const env = {
      SMOKE_HOST: APP_ALIAS,
      SMOKE_PORT: port ? String(port) : "",
      SMOKE_URL: port ? `http://${APP_ALIAS}:${port}` : "",
    };
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
    const command =
      settings.command === undefined
        ? []
        : typeof settings.command === "string"
          ? ["/bin/sh", "-c", settings.command]
          : settings.command;
    const entrypoint = settings.image || !command.length ? [] : ["--entrypoint", ""];
    const r = await docker(
      [
        "run",
        "--name",
        tester,
        "--network",
        network,
        ...envArgs,
        ...entrypoint,
        settings.image ?? options.image,
        ...command,
      ],
      { logger, stream: true, allowFailure: true },
    );
    if (r.exitCode !== 0) {
      return done(
        false,
        `smoke test failed (exit code ${r.exitCode}); last lines:\n${tail(`${r.stdout}${r.stderr}`, 20)}`,
      );
    }
    return done(true, "the smoke test passed");
  } finally {
    await removeContainer(tester, logger);
    await removeContainer(app, logger);
    await removeNetwork(network, logger);
  }
}

/** The run configuration the smoke test starts: the environment's overlay on the top-level run. */
export function smokeRunConfig(config: PowertrainConfig, environment: string): RunConfig {
  const env = config.environments?.[environment];
  if (!env && environment !== "ci") {
    const known = Object.keys(config.environments ?? {});
    throw new UsageError(
      `build.smoke-test: environment "${environment}" is not in powertrain.yml${known.length ? ` (known: ${known.join(", ")})` : ""}`,
    );
  }
  return mergeOverlay<RunConfig>(config.run, env?.run);
}

/** `docker run` options for a run configuration, health check included. Published ports are not needed on a private network. */
export function runArgs(run: RunConfig, port: number | undefined): string[] {
  const args: string[] = [];
  for (const [k, v] of Object.entries(run.env ?? {})) if (v !== null) args.push("--env", `${k}=${String(v)}`);
  if (run.init) args.push("--init");
  if (run.user) args.push("--user", run.user);
  if (run.entrypoint !== undefined) {
    const ep = typeof run.entrypoint === "string" ? ["/bin/sh", "-c", run.entrypoint] : run.entrypoint;
    // docker run takes the entrypoint's program only; its arguments go before the command.
    args.push("--entrypoint", ep[0]!);
  }
  for (const [k, v] of Object.entries(run.labels ?? {})) args.push("--label", `${k}=${v}`);
  const health = run.health;
  if (health) {
    const target = health.port ?? port;
    const probe = health.command
      ? typeof health.command === "string"
        ? health.command
        : shellCommand(health.command)
      : health.http && target
        ? // Quoted: docker runs the probe with sh -c, where `&` in `/h?a=1&b=2` would background wget.
          `wget -q -O /dev/null ${shellQuote(`http://127.0.0.1:${target}${health.http}`)}`
        : health.tcp && target
          ? `nc -z 127.0.0.1 ${target}`
          : undefined;
    if (probe) {
      args.push(
        "--health-cmd",
        probe,
        "--health-interval",
        "1s",
        "--health-retries",
        String(health.retries ?? 30),
      );
      if (health.timeout !== undefined) args.push("--health-timeout", `${parseDuration(health.timeout)}ms`);
    }
  }
  return args;
}

/** The container port the app listens on: the first port of the run configuration. */
export function appPort(run: RunConfig): number | undefined {
  const first = run.ports?.[0];
  if (first === undefined) return undefined;
  if (typeof first === "object") return first.container;
  const container = first.split(":").pop()!.split("/")[0]!;
  return Number(container);
}

/** What follows the image in `docker run`: the entrypoint's arguments, then the command. */
export function commandArgs(run: RunConfig): string[] {
  const ep =
    run.entrypoint === undefined
      ? []
      : typeof run.entrypoint === "string"
        ? ["/bin/sh", "-c", run.entrypoint]
        : run.entrypoint;
  const cmd =
    run.command === undefined
      ? []
      : typeof run.command === "string"
        ? ["/bin/sh", "-c", run.command]
        : run.command;
  return [...ep.slice(1), ...cmd];
}

async function waitUntilReady(container: string, deadline: number, logger: Logger): Promise<string> {
  for (;;) {
    const state = await containerState(container, logger);
    if (!state.running) {
      return `it exited with code ${state.exitCode}; last log lines:\n${await containerLogTail(container, logger)}`;
    }
    if (state.health === "healthy" || (state.health === undefined && state.running)) return "ready";
    if (state.health === "unhealthy")
      return `its health check failed; last log lines:\n${await containerLogTail(container, logger)}`;
    if (Date.now() > deadline) return "timed out waiting for the health check";
    await new Promise((r) => setTimeout(r, 300));
  }
}
