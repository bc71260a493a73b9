/**
 * The build action: inputs → core's build pipeline → outputs, job summary and
 * one annotation per failing test. The summary and the annotations are written
 * on failure too, which is the point of getting the reports out of the build.
 */
import * as actions from "@actions/core";
import { type ActionContext, readInputs } from "@powertrain/action-kit";
import {
  BuildError,
  type BuildResult,
  type DockerLogin,
  describeBuilder,
  dockerLogin,
  type Logger,
  loadConfig,
  type PartialBuild,
  parseSecretLines,
  runBuild,
  type TestSummary,
  testReportOf,
  UsageError,
} from "@powertrain/core";
import { runMerge } from "./merge";
import { writeBuildSummary } from "./summary";

export const inputs = {
  config: { kind: "string", default: "powertrain.yml" },
  context: { kind: "string" },
  dockerfile: { kind: "string" },
  target: { kind: "string" },
  "test-target": { kind: "string" },
  "build-args": { kind: "map" },
  environment: { kind: "string" },
  builder: { kind: "string" },
  // One per line: buildx's specs hold commas.
  "cache-from": { kind: "string" },
  "cache-to": { kind: "string" },
  secrets: { kind: "string" },
  "secret-envs": { kind: "string" },
  "secret-files": { kind: "string" },
  ssh: { kind: "string" },
  platforms: { kind: "list" },
  push: { kind: "string" },
  merge: { kind: "string" },
  registry: { kind: "string" },
  username: { kind: "string" },
  password: { kind: "string", secret: true },
  summary: { kind: "boolean", default: true },
} as const;

/** Non-empty lines, trimmed. */
export function lines(raw: string | undefined): string[] {
  return (raw ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The test-target input value that skips the tests (an empty input means "as powertrain.yml says"). */
export const SKIP_TESTS = "none";

export async function main(ctx: ActionContext): Promise<void> {
  const input = readInputs(inputs);
  if (lines(input.merge).length > 0) {
    await runMerge({ ...input, images: lines(input.merge) }, ctx);
    return;
  }
  const { config } = await loadConfig(input.config);
  const testTarget = input["test-target"];
  // Values are masked before anything can print them; only `id=value` lines hold values.
  const byValue = parseSecretLines(
    (input.secrets ?? "").split("\n").filter((l) => l.trim()),
    "value",
    "input secrets",
  );
  for (const s of byValue) if ("value" in s) ctx.logger.mask(s.value);
  const secrets = [
    ...byValue,
    ...parseSecretLines(lines(input["secret-envs"]), "env", "input secret-envs"),
    ...parseSecretLines(lines(input["secret-files"]), "file", "input secret-files"),
  ];
  const login = await builderLogin(input, config.image?.registry, ctx);
  let result: BuildResult;
  try {
    result = await runBuild(
      {
        configFile: input.config,
        config,
        context: input.context,
        dockerfile: input.dockerfile,
        target: input.target,
        testTarget: testTarget === SKIP_TESTS ? "" : testTarget,
        buildArgs: input["build-args"],
        builder: input.builder,
        cacheFrom: lines(input["cache-from"]),
        cacheTo: lines(input["cache-to"]),
        secrets,
        ssh: lines(input.ssh),
        platforms: input.platforms,
        push: input.push,
      },
      { logger: ctx.logger, smokeEnvironment: input.environment, dockerConfig: login?.configDir },
    );
  } catch (err) {
    if (err instanceof BuildError) await report(err.partial, ctx.logger, input.summary, err.message);
    throw err;
  } finally {
    await login?.dispose();
  }
  actions.setOutput("image", result.image);
  actions.setOutput("image-id", result.imageId);
  actions.setOutput("size", String(result.size));
  actions.setOutput("builder", describeBuilder(result.builder));
  if (result.index) {
    actions.setOutput("index", `${result.index.ref}@${result.index.digest}`);
    actions.setOutput("index-digest", result.index.digest);
  }
  actions.setOutput("config", JSON.stringify(result.config));
  await report(result, ctx.logger, input.summary);
}

export async function post(_ctx: ActionContext): Promise<void> {}

/**
 * With username and password: a docker login of its own (a temporary DOCKER_CONFIG, removed
 * after the build) for a builder of its own, which reads base images and the cache and pushes
 * the index through the client's login. Without them: whatever login docker already has.
 */
async function builderLogin(
  input: { registry?: string; username?: string; password?: string },
  configRegistry: string | undefined,
  ctx: ActionContext,
): Promise<DockerLogin | undefined> {
  if (!input.username && !input.password) return undefined;
  if (!input.username || !input.password) throw new UsageError("inputs username and password go together");
  const registry = input.registry || configRegistry;
  if (!registry) throw new UsageError("input username: set registry (or image.registry in powertrain.yml)");
  return dockerLogin(registry, { username: input.username, password: input.password }, ctx.logger);
}

/** Test counts as the `tests` output, annotations for failures, and the job summary. */
async function report(
  build: PartialBuild & Partial<BuildResult>,
  logger: Logger,
  summary: boolean,
  failure?: string,
): Promise<void> {
  if (build.tests) {
    actions.setOutput("tests", JSON.stringify(testCounts(build.tests)));
    actions.setOutput("test-report", JSON.stringify(testReportOf(build.tests, build.testImage)));
    annotate(build.tests, logger);
  }
  if (summary) await writeBuildSummary(actions.summary, build, failure);
}

export function testCounts(tests: TestSummary): { passed: number; failed: number; skipped: number } {
  return { passed: tests.passed, failed: tests.failed, skipped: tests.skipped };
}

function annotate(tests: TestSummary, logger: Logger): void {
  for (const f of tests.failures) {
    const position = f.location ? { file: f.location.file, line: f.location.line } : undefined;
    logger.error(`${f.name}: ${f.message}`, position);
  }
}
