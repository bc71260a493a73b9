/**
 * The build: test stage (reports out, even on failure), final image reusing
 * the test stage's layers, image report and checks, optional smoke test.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { PowertrainConfig } from "../config/schema";
import { countCachedSteps, type DockerCommand, labelDockerfile } from "../docker/build-args";
import { type Builder, detectBuilder } from "../docker/builder";
import { docker, dockerBinary } from "../docker/docker";
import { imageHistory } from "../docker/history";
import { inspectImage } from "../docker/inspect";
import { exec } from "../exec/exec";
import { shellCommand } from "../exec/quote";
import type { Logger } from "../log";
import { type CiMetadata, ciMetadata, type GitRunner } from "../version/ci";
import { BuildError } from "./errors";
import { checkImage, type ImageChecks, type ImageReport, imageReport } from "./image-report";
import { type BuildPlan, type BuildRequest, planBuild } from "./plan";
import { type SmokeTestResult, smokeTest } from "./smoke";
import { collectTestReports, tail, testStageFailure } from "./test-stage";
import type { TestSummary } from "./tests";

export interface BuildRunOptions {
  logger: Logger;
  /** Environment for CI metadata and builder detection (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Use this builder instead of detecting one. */
  builder?: Builder;
  /**
   * A DOCKER_CONFIG directory holding a registry login (base images, cache and pushes of a
   * builder of its own go through it); buildx's builders are still found where they were.
   */
  dockerConfig?: string;
  /** Run the smoke test when powertrain.yml configures one (default true). */
  smokeTest?: boolean;
  /** Run configuration the smoke test starts (default build.smoke-test.environment, else ci). */
  smokeEnvironment?: string;
  /** Build time, for the created label (tests pin it). */
  now?: Date;
}

export interface BuildResult {
  image: string;
  imageId: string;
  size: number;
  builder: Builder;
  config: PowertrainConfig;
  labels: Record<string, string>;
  testImage?: string;
  tests?: TestSummary;
  report: ImageReport;
  checks: ImageChecks;
  smoke?: SmokeTestResult;
  /**
   * The multi-platform index the builder pushed (build.platforms): `ref` by tag and its digest;
   * `image` above is the runner's own platform, loaded for the report, checks and smoke test.
   */
  index?: { ref: string; digest: string; platforms: string[] };
  /** Steps served from the build cache in each build. */
  cachedSteps: { test?: number; final: number };
  durationsMs: { test?: number; final: number };
}

/** Build, test and check the image. Throws BuildError (with what was learnt so far) on failure. */
export async function runBuild(request: BuildRequest, options: BuildRunOptions): Promise<BuildResult> {
  const { logger } = options;
  const cwd = request.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const dockerEnv = dockerClientEnv(env, options.dockerConfig);
  const builder =
    options.builder ?? (await detectBuilder(logger, env, { name: builderName(request), dockerEnv }));
  const ci = await ciMetadata(env, gitIn(cwd));
  const work = await mkdtemp(join(tmpdir(), "powertrain-build-"));
  try {
    const iidFile = join(work, "iid");
    const plan = planBuild(request, builder, ci, options.now ?? new Date(), iidFile, env);
    for (const w of plan.warnings) logger.warn(w);
    const secretValues = Object.values(plan.secretEnv);
    for (const v of secretValues) logger.mask(v);
    const run: RunContext = { cwd, logger, env: { ...dockerEnv, ...plan.secretEnv }, secretValues };

    let tests: TestSummary | undefined;
    let testMs: number | undefined;
    let testCached: number | undefined;
    if (plan.test) {
      const { test } = plan;
      const started = Date.now();
      const out = await logger.group(`Test stage "${test.target}"`, () =>
        runDockerBuild(test.command, run, `the test stage "${test.target}"`),
      );
      testCached = countCachedSteps(out);
      const outcome = await collectTestReports({
        image: test.image,
        reportsDir: test.reportsDir,
        context: join(cwd, plan.context),
        root: cwd,
        logger,
      });
      testMs = Date.now() - started;
      tests = outcome.tests;
      const failure = testStageFailure(outcome, test.reportsDir);
      if (failure) throw failure;
      if (tests)
        logger.info(`tests: ${tests.passed} passed, ${tests.failed} failed, ${tests.skipped} skipped`);
    }

    const started = Date.now();
    const out = await logger
      .group("Final image", async () => {
        let log = await runDockerBuild(plan.final, run, "the image");
        const { labelStep } = plan;
        if (labelStep?.baseIidFile) {
          const base = (await readFile(labelStep.baseIidFile, "utf8")).trim();
          log += await runDockerBuild(
            labelStep.command,
            run,
            "the image's labels",
            labelDockerfile(base, plan.labels),
          );
        }
        return log;
      })
      .catch((err: unknown) => {
        throw err instanceof BuildError ? new BuildError(err.message, { tests }) : err;
      });
    const finalMs = Date.now() - started;
    const imageId = (await readFile(iidFile, "utf8")).trim();
    const [info, history] = await Promise.all([inspectImage(imageId, logger), imageHistory(imageId, logger)]);
    const report = imageReport(plan.image, info, history);
    const checks = checkImage(report, { root: plan.settings.root, budget: plan.sizeBudget });
    for (const w of checks.warnings) logger.warn(w);
    if (checks.errors.length > 0) throw new BuildError(checks.errors.join("\n"), { tests, report });

    const result: BuildResult = {
      image: plan.image,
      imageId,
      size: info.size,
      builder,
      config: request.config,
      labels: info.labels,
      testImage: plan.test?.image,
      tests,
      report,
      checks,
      cachedSteps: { test: testCached, final: countCachedSteps(out) },
      durationsMs: { test: testMs, final: finalMs },
    };
    const smoke = plan.settings["smoke-test"];
    if (smoke && options.smokeTest !== false) {
      result.smoke = await logger.group("Smoke test", () =>
        smokeTest({
          image: plan.image,
          config: request.config,
          environment: options.smokeEnvironment ?? smoke.environment ?? "ci",
          settings: smoke,
          logger,
        }),
      );
      if (!result.smoke.passed) throw new BuildError(result.smoke.message, { tests, report });
    }
    const { index } = plan;
    if (index) {
      await logger.group(`Index for ${index.platforms.join(", ")} → ${index.ref}`, () =>
        runDockerBuild(index.command, run, "the multi-platform index"),
      );
      const digest = await pushedDigest(index.metadataFile);
      result.index = { ref: index.ref, digest, platforms: index.platforms };
      logger.info(`pushed ${index.ref}@${digest}`);
    }
    return result;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The commands a build would run, for --dry-run; nothing is built. */
export async function dryRunBuild(
  request: BuildRequest,
  options: Pick<BuildRunOptions, "logger" | "env" | "builder" | "now" | "dockerConfig">,
): Promise<{ plan: BuildPlan; commands: string[] }> {
  const env = options.env ?? process.env;
  const dockerEnv = dockerClientEnv(env, options.dockerConfig);
  const builder =
    options.builder ?? (await detectBuilder(options.logger, env, { name: builderName(request), dockerEnv }));
  const ci = await ciMetadata(env, gitIn(request.cwd ?? process.cwd()));
  const plan = planBuild(request, builder, ci, options.now ?? new Date(), undefined, env);
  return { plan, commands: planCommands(plan) };
}

/** The docker command lines of a plan, as they would be typed. */
export function planCommands(plan: BuildPlan): string[] {
  const bin = dockerBinary();
  const line = (c: DockerCommand) =>
    `${Object.entries(c.env)
      .map(([k, v]) => `${k}=${v} `)
      .join("")}${shellCommand([bin, ...c.args])}`;
  const commands: string[] = [];
  if (plan.test) {
    commands.push(line(plan.test.command));
    commands.push(shellCommand([bin, "create", plan.test.image]));
    commands.push(shellCommand([bin, "cp", `<container>:${plan.test.reportsDir}/.`, "<reports>"]));
    commands.push(shellCommand([bin, "rm", "--force", "--volumes", "<container>"]));
  }
  commands.push(line(plan.final));
  if (plan.labelStep) {
    const dockerfile = labelDockerfile("<final image id>", plan.labels);
    commands.push(`${line(plan.labelStep.command)} <<'DOCKERFILE'\n${dockerfile}DOCKERFILE`);
  }
  commands.push(shellCommand([bin, "image", "inspect", plan.image]));
  commands.push(
    shellCommand([bin, "history", "--no-trunc", "--human=false", "--format", "{{json .}}", plan.image]),
  );
  if (plan.index) commands.push(line(plan.index.command));
  return commands;
}

interface RunContext {
  cwd: string;
  logger: Logger;
  /** The docker client's login and the values of by-value secrets, over each command's own. */
  env: Record<string, string>;
  /** Masked in every line and error. */
  secretValues: string[];
}

async function runDockerBuild(
  command: DockerCommand,
  run: RunContext,
  what: string,
  dockerfileOnStdin?: string,
): Promise<string> {
  const { cwd, logger } = run;
  const r = await docker(command.args, {
    cwd,
    env: { ...command.env, ...run.env },
    input: dockerfileOnStdin,
    stream: true,
    logger,
    allowFailure: true,
    secrets: run.secretValues,
  });
  const log = `${r.stdout}\n${r.stderr}`;
  if (r.exitCode !== 0) {
    throw new BuildError(
      `docker could not build ${what} (exit code ${r.exitCode}); last lines:\n${tail(log, 20)}`,
    );
  }
  return log;
}

/** The digest buildx wrote to its metadata file (`containerimage.digest`). */
async function pushedDigest(file: string | undefined): Promise<string> {
  const metadata = file ? (JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>) : {};
  const digest = metadata["containerimage.digest"];
  if (typeof digest !== "string" || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
    throw new BuildError("buildx pushed the index but wrote no containerimage.digest to its metadata file");
  }
  return digest;
}

/** The builder to use: the request's (CLI flag, action input), else build.builder. */
function builderName(request: BuildRequest): string | undefined {
  return request.builder || request.config.build?.builder || undefined;
}

/**
 * DOCKER_CONFIG for a login of its own; BUILDX_CONFIG keeps buildx's builders (registered under
 * the usual docker config) visible when DOCKER_CONFIG moves.
 */
export function dockerClientEnv(env: NodeJS.ProcessEnv, dockerConfig?: string): Record<string, string> {
  if (!dockerConfig) return {};
  const buildxConfig = env.BUILDX_CONFIG || join(env.DOCKER_CONFIG || join(homedir(), ".docker"), "buildx");
  return { DOCKER_CONFIG: dockerConfig, BUILDX_CONFIG: buildxConfig };
}

function gitIn(cwd: string): GitRunner {
  return async (args) => {
    try {
      const r = await exec("git", args, { cwd, allowFailure: true });
      return r.exitCode === 0 ? r.stdout.trim() || undefined : undefined;
    } catch {
      return undefined;
    }
  };
}

export type { CiMetadata };
