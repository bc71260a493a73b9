/**
 * The publish, promote, images and find commands end to end against the
 * setup's registry, with credentials from POWERTRAIN_REGISTRY_USER/PASSWORD
 * and the registry and repository from a powertrain.yml.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { buildTestImage } from "../registry/support/images";
import { runCli } from "../support/cli";
import { testEnv } from "../support/env";
import { dockerRmi, tempDir, uniqueName } from "../support/helpers";

jest.setTimeout(120_000);

const env = testEnv();
const registry = env.registry.host;
const repository = `${uniqueName("pt-test-publish-cli")}/app`;
const COMMIT = "c0ffee1234567890c0ffee1234567890c0ffee12";
const localImage = `${uniqueName("pt-test-publish-cli")}:local`;
const savedEnv = { ...process.env };
let dir: string;
let config: string;

const run = (...args: string[]) => runCli(...args, "--config", config);

beforeAll(async () => {
  dir = tempDir("pt-test-publish-cli-");
  config = join(dir, "powertrain.yml");
  writeFileSync(
    config,
    `name: app\nimage:\n  registry: "${registry}"\n  repository: ${repository}\ntags:\n  version: "{build}-{sha:7}"\n  extra: [latest]\n`,
  );
  process.env.POWERTRAIN_REGISTRY_USER = env.registry.user;
  process.env.POWERTRAIN_REGISTRY_PASSWORD = env.registry.password;
  process.env.GITHUB_ACTIONS = "true";
  process.env.GITHUB_RUN_NUMBER = "31";
  process.env.GITHUB_SHA = COMMIT;
  process.env.GITHUB_REF_TYPE = "branch";
  process.env.GITHUB_REF_NAME = "main";
  await buildTestImage({
    base: env.images.busybox,
    name: localImage,
    labels: { "org.opencontainers.image.revision": COMMIT, "dev.powertrain.build-number": "31" },
  });
});

afterAll(async () => {
  process.env = savedEnv;
  const client = new RegistryClient({
    registry,
    credentials: { username: env.registry.user, password: env.registry.password },
  });
  for (const repo of [repository, `${repository}-release`]) {
    for (const tag of await client.listTags(repo).catch(() => [] as string[])) {
      const digest = await client.manifestDigest(repo, tag).catch(() => undefined);
      if (digest) await client.deleteManifest(repo, digest).catch(() => undefined);
    }
  }
  await client.close();
  await dockerRmi([localImage, `${registry}/${repository}:31-c0ffee1`, `${registry}/${repository}:latest`]);
});

test("publish --dry-run prints the docker commands with the version from the template", async () => {
  const r = await run("publish", "--image", localImage, "--dry-run", "--tag", "feature/x");
  expect(r.code).toBe(0);
  expect(r.stdout.split("\n")).toEqual(
    expect.arrayContaining([
      `docker tag ${localImage} ${registry}/${repository}:31-c0ffee1`,
      `docker push ${registry}/${repository}:feature-x`,
    ]),
  );
});

test("publish --version overrides the template (and is not powertrain's own --version)", async () => {
  const r = await run("publish", "--image", localImage, "--version", "9-hotfix", "--dry-run", "--json");
  expect(JSON.parse(r.stdout)).toMatchObject({ version: "9-hotfix", tags: ["9-hotfix", "latest"] });
});

test("publish, images, find and promote", async () => {
  const published = await run("publish", "--image", localImage, "--json");
  expect(published.code).toBe(0);
  const result = JSON.parse(published.stdout) as { digest: string; image: string; tags: string[] };
  expect(result.tags).toEqual(["31-c0ffee1", "latest"]);
  expect(published.stderr).not.toContain(env.registry.password);

  const images = await run("images");
  expect(images.stdout).toMatch(/^TAGS\s+CREATED\s+COMMIT\s+BUILD\s+SIZE\s+DIGEST/);
  expect(images.stdout).toContain("31-c0ffee1,latest");
  expect(images.stdout).toContain("c0ffee1");

  const found = await run("find", "--commit", "c0ffee12");
  expect(found.stdout.trim()).toBe(`${result.image}  31-c0ffee1,latest`);
  const missing = await run("find", "--commit", "deadbeef");
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(`no image in ${registry}/${repository} was built from commit deadbeef`);

  const promoted = await run("promote", "31-c0ffee1", "--to", `${repository}-release:1.0`, "--json");
  expect(promoted.code).toBe(0);
  expect(JSON.parse(promoted.stdout)).toMatchObject({
    digest: result.digest,
    to: `${registry}/${repository}-release:1.0`,
  });
});

test("promote of a version that does not exist: exit 2 and a clear message", async () => {
  const r = await run("promote", "999-nothere", "--to", "prod");
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/not found: .*\/app \(GET \/v2\/.*\/manifests\/999-nothere\)/);
});
