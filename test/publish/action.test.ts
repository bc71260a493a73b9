/**
 * The publish action's main and post steps, run in-process the way the
 * runner runs them: inputs from INPUT_* variables, outputs, state and the job
 * summary written to the files the runner names.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main, post } from "../../actions/publish/src/main";
import { mergeIndex } from "../../packages/core/src/publish/merge";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { buildTestImage } from "../registry/support/images";
import { recordingLogger } from "../registry/support/logger";
import { readOutputs } from "../support/action-outputs";
import { testEnv } from "../support/env";
import { dockerRmi, tempDir, uniqueName } from "../support/helpers";
import { pushPlatformImage } from "./support";

jest.setTimeout(120_000);

const env = testEnv();
const registry = env.registry.host;
const repository = `${uniqueName("pt-test-publish-action")}/app`;
const localImage = `${uniqueName("pt-test-publish-action")}:1`;
const savedEnv = { ...process.env };
let dir: string;

beforeAll(async () => {
  dir = tempDir("pt-test-publish-action-");
  await buildTestImage({ base: env.images.busybox, name: localImage });
});

afterEach(() => {
  process.env = { ...savedEnv };
});

afterAll(async () => {
  const client = new RegistryClient({
    registry,
    credentials: { username: env.registry.user, password: env.registry.password },
  });
  for (const tag of ["5-1234567", "6-auths"]) {
    const digest = await client.manifestDigest(repository, tag).catch(() => undefined);
    if (digest) await client.deleteManifest(repository, digest).catch(() => undefined);
  }
  await client.close();
  await dockerRmi([
    localImage,
    ...["5-1234567", "latest", "feature-a", "6-auths"].map((t) => `${registry}/${repository}:${t}`),
  ]);
});

test("main publishes and sets every output and the summary; the docker config is gone; post cleans up", async () => {
  const files = {
    output: join(dir, "output"),
    state: join(dir, "state"),
    summary: join(dir, "summary"),
    runnerTemp: join(dir, "runner"),
  };
  for (const f of [files.output, files.state, files.summary]) writeFileSync(f, "");
  mkdirSync(files.runnerTemp);
  Object.assign(process.env, {
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: files.runnerTemp,
    GITHUB_ACTIONS: "true",
    GITHUB_RUN_NUMBER: "5",
    GITHUB_SHA: "1234567890abcdef1234567890abcdef12345678",
    GITHUB_REF_TYPE: "branch",
    GITHUB_REF_NAME: "feature/a",
    INPUT_CONFIG: join(dir, "absent.yml"),
    INPUT_IMAGE: localImage,
    INPUT_REGISTRY: registry,
    INPUT_REPOSITORY: repository,
    INPUT_TAGS: "latest\n{branch}",
    INPUT_USERNAME: env.registry.user,
    INPUT_PASSWORD: env.registry.password,
  });
  const logger = recordingLogger();
  await main({ logger });

  const outputs = readOutputs(files.output);
  expect(outputs.version).toBe("5-1234567");
  expect(outputs.tags).toBe("5-1234567\nlatest\nfeature-a");
  expect(outputs.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
  expect(outputs.image).toBe(`${registry}/${repository}@${outputs.digest}`);
  expect(JSON.parse(outputs.metadata!)).toMatchObject({
    digest: outputs.digest,
    buildNumber: 5,
    branch: "feature/a",
  });

  const summary = readFileSync(files.summary, "utf8");
  expect(summary).toContain(outputs.digest);
  expect(summary).toContain("5-1234567, latest, feature-a");

  const state = readOutputs(files.state);
  const configDir = state["docker-config"]!;
  expect(configDir.startsWith(files.runnerTemp)).toBe(true);
  expect(existsSync(configDir)).toBe(false);
  expect(logger.raw.join("\n")).not.toContain(env.registry.password);

  // The post step removes a config the main step left behind (a cancelled job).
  mkdirSync(configDir);
  process.env["STATE_docker-config"] = configDir;
  await post({ logger });
  expect(existsSync(configDir)).toBe(false);
});

test("a username without a password is a usage error", async () => {
  Object.assign(process.env, {
    INPUT_IMAGE: localImage,
    INPUT_REGISTRY: registry,
    INPUT_REPOSITORY: repository,
    INPUT_USERNAME: "x",
  });
  await expect(main({ logger: recordingLogger() })).rejects.toThrow(
    'inputs "username" and "password" go together',
  );
});

test("registry-auths: the entry for the target registry logs in; docker's own login is not needed", async () => {
  const files = { output: join(dir, "output-auths"), state: join(dir, "state-auths") };
  for (const f of Object.values(files)) writeFileSync(f, "");
  const emptyDockerConfig = join(dir, "empty-docker-config");
  mkdirSync(emptyDockerConfig, { recursive: true });
  Object.assign(process.env, {
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    RUNNER_TEMP: dir,
    DOCKER_CONFIG: emptyDockerConfig,
    INPUT_CONFIG: join(dir, "absent.yml"),
    INPUT_IMAGE: localImage,
    INPUT_REGISTRY: registry,
    INPUT_REPOSITORY: repository,
    INPUT_VERSION: "6-auths",
    "INPUT_REGISTRY-AUTHS": JSON.stringify({
      "other.example": { username: "nobody", password: "not-this-one" },
      [registry]: { username: env.registry.user, password: env.registry.password },
    }),
  });
  const logger = recordingLogger();
  await main({ logger });
  const outputs = readOutputs(files.output);
  expect(outputs.image).toBe(`${registry}/${repository}@${outputs.digest}`);
  expect(readOutputs(files.state)["docker-config"]).toBeTruthy();
  expect(logger.raw.join("\n")).not.toContain(env.registry.password);
});

test("with the build's index output the tags go onto the index: its digest is output, no docker login", async () => {
  // The summary file is not re-read: @actions/core keeps the first test's path.
  const files = { output: join(dir, "output-index"), state: join(dir, "state-index") };
  for (const f of Object.values(files)) writeFileSync(f, "");
  const client = new RegistryClient({
    registry,
    credentials: { username: env.registry.user, password: env.registry.password },
  });
  const indexRepository = `${repository}-index`;
  const amd64 = await pushPlatformImage(client, indexRepository, "amd64", {
    os: "linux",
    architecture: "amd64",
  });
  const arm64 = await pushPlatformImage(client, indexRepository, "arm64", {
    os: "linux",
    architecture: "arm64",
  });
  const merged = await mergeIndex({
    client,
    sources: [amd64, arm64].map((d) => ({ registry, repository: indexRepository, digest: d.digest })),
    target: { registry, repository: indexRepository, tag: "local" },
    logger: recordingLogger(),
  });
  Object.assign(process.env, {
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    RUNNER_TEMP: dir,
    INPUT_CONFIG: join(dir, "absent.yml"),
    // The build's image output: the runner's own platform, loaded; not what is published here.
    INPUT_IMAGE: `${uniqueName("pt-test-absent")}:local`,
    INPUT_INDEX: `${merged.ref}@${merged.digest}`,
    INPUT_REGISTRY: registry,
    INPUT_REPOSITORY: indexRepository,
    INPUT_VERSION: "8-index",
    INPUT_USERNAME: env.registry.user,
    INPUT_PASSWORD: env.registry.password,
  });
  const logger = recordingLogger();
  await main({ logger });
  const outputs = readOutputs(files.output);
  expect(outputs.digest).toBe(merged.digest);
  expect(outputs.image).toBe(`${registry}/${indexRepository}@${merged.digest}`);
  expect(await client.manifestDigest(indexRepository, "8-index")).toBe(merged.digest);
  expect(readOutputs(files.state)["docker-config"]).toBeUndefined();
  expect(logger.text()).not.toContain("docker login");
  await client.close();
});
