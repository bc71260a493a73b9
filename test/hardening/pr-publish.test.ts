/**
 * A pull request whose head branch is named `main` publishes to the real registry under
 * `pr-<n>-` only: none of main's branch-gated tags (`latest`), and the workflow's
 * commit-<sha> tag is prefixed too, so promote.yml's commit lookup never finds a PR image.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { buildTestImage } from "../registry/support/images";
import { runCli } from "../support/cli";
import { testEnv } from "../support/env";
import { dockerRmi, tempDir, uniqueName } from "../support/helpers";

jest.setTimeout(120_000);

const env = testEnv();
const registry = env.registry.host;
const repository = `${uniqueName("pt-hardening-pr")}/app`;
const HEAD = "feedface00112233445566778899aabbccddeeff";
const localImage = `${uniqueName("pt-hardening-pr")}:local`;
const savedEnv = { ...process.env };
let config: string;
let client: RegistryClient;

const publish = (...args: string[]) => runCli("publish", ...args, "--config", config);

beforeAll(async () => {
  const dir = tempDir("pt-hardening-pr-");
  config = join(dir, "powertrain.yml");
  writeFileSync(
    config,
    [
      "name: app",
      "image:",
      `  registry: "${registry}"`,
      `  repository: ${repository}`,
      "tags:",
      '  version: "{build}-{sha:7}"',
      "  extra: [{ tag: latest, branches: [main] }, { tag: edge, branches: [main] }]",
      "",
    ].join("\n"),
  );
  const event = join(dir, "event.json");
  writeFileSync(event, JSON.stringify({ number: 17, pull_request: { number: 17, head: { sha: HEAD } } }));
  Object.assign(process.env, {
    POWERTRAIN_REGISTRY_USER: env.registry.user,
    POWERTRAIN_REGISTRY_PASSWORD: env.registry.password,
    GITHUB_ACTIONS: "true",
    GITHUB_RUN_NUMBER: "44",
    GITHUB_SHA: "0000000000000000000000000000000000000001",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: event,
    GITHUB_REF: "refs/pull/17/merge",
    GITHUB_REF_TYPE: "branch",
    GITHUB_REF_NAME: "17/merge",
    // A fork's branch may be called main.
    GITHUB_HEAD_REF: "main",
  });
  await buildTestImage({
    base: env.images.busybox,
    name: localImage,
    labels: { "org.opencontainers.image.revision": HEAD },
  });
  client = new RegistryClient({
    registry,
    credentials: { username: env.registry.user, password: env.registry.password },
  });
});

afterAll(async () => {
  process.env = savedEnv;
  for (const tag of await client.listTags(repository).catch(() => [] as string[])) {
    const digest = await client.manifestDigest(repository, tag).catch(() => undefined);
    if (digest) await client.deleteManifest(repository, digest).catch(() => undefined);
  }
  await client.close();
  // Every local tag of the repository, whatever a failed run pushed.
  const local = await exec("docker", [
    "images",
    "--format",
    "{{.Repository}}:{{.Tag}}",
    `${registry}/${repository}`,
  ]);
  await dockerRmi([localImage, ...local.stdout.split("\n").filter(Boolean)]);
});

test("a PR from a branch named main gets pr-17- tags only, none of main's", async () => {
  const r = await publish("--image", localImage, "--tag", `commit-${HEAD}`, "--json");
  expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
  const result = JSON.parse(r.stdout) as { version: string; tags: string[] };
  expect(result.version).toBe("pr-17-44-feedfac");
  expect((await client.listTags(repository)).sort()).toEqual(["pr-17-44-feedfac", `pr-17-commit-${HEAD}`]);
});
