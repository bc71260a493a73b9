/**
 * The promote diff against the setup's registry: two published images with commit, source and
 * version labels and signed test-result attestations; `promote --dry-run` shows what moves, reads
 * no layer, and moves nothing.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main as extractConfigAction } from "../../actions/extract-config/src/main";
import { silentLogger } from "../../packages/core/src/log";
import { readImageFacts } from "../../packages/core/src/ops/promote-diff";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { parsePrivateKey } from "../../packages/core/src/sign/keys";
import { signPublished } from "../../packages/core/src/sign/publish";
import { credentials, pemKeyPair, registry } from "../sign/support";
import { runCli } from "../support/cli";
import { tempDir, uniqueName } from "../support/helpers";
import { SOURCE } from "./support";

jest.setTimeout(120_000);

const repository = `${uniqueName("pt-test-ops-diff")}/app`;
const C1 = "1111111".padEnd(40, "a");
const C2 = "2222222".padEnd(40, "b");
const MEDIA = "application/vnd.oci.image.manifest.v1+json";
const saved = { ...process.env };
const client = new RegistryClient({ registry, credentials });
const dir = tempDir("pt-ops-diff-");
const keys = pemKeyPair(dir);
let config: string;

/** An image pushed through the registry API: labels in its config, one layer of `layerBytes`. */
async function pushImage(tag: string, labels: Record<string, string>, layerBytes: number): Promise<string> {
  const layer = randomBytes(layerBytes);
  const cfg = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [] },
      config: { Labels: labels },
    }),
  );
  const [layerDigest, configDigest] = [
    await client.putBlob(repository, layer),
    await client.putBlob(repository, cfg),
  ];
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA,
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: configDigest,
        size: cfg.length,
      },
      layers: [
        { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size: layer.length },
      ],
    }),
  );
  const digest = await client.putManifest(repository, tag, manifest, MEDIA);
  await signPublished({
    client,
    repository,
    digest,
    key: parsePrivateKey(readFileSync(keys.privateKey, "utf8")),
    tests: {
      total: layerBytes === 200_000 ? 10 : 12,
      passed: layerBytes === 200_000 ? 10 : 11,
      failed: 0,
      skipped: layerBytes === 200_000 ? 0 : 1,
      durationMs: 5,
      failures: [],
      reports: ["junit.xml"],
    },
    logger: silentLogger,
  });
  return digest;
}

/** The powertrain.yml baked into both images: its env reads three variables. */
const BAKED = {
  name: "app",
  run: { env: { DB_PASSWORD: "${DB_PASSWORD}", VERSION: "${POWERTRAIN_VERSION}", TOKEN: "${GITHUB_TOKEN}" } },
  environments: { prod: { hosts: ["deploy@prod1"] } },
};

let d1: string;
let d2: string;
beforeAll(async () => {
  const labels = (version: string, commit: string, created: string) => ({
    "dev.powertrain.schema": "1",
    "dev.powertrain.config": JSON.stringify(BAKED),
    "org.opencontainers.image.version": version,
    "org.opencontainers.image.revision": commit,
    "org.opencontainers.image.source": SOURCE,
    "org.opencontainers.image.created": created,
  });
  d1 = await pushImage("1-1111111", labels("1-1111111", C1, "2026-01-01T00:00:00Z"), 200_000);
  d2 = await pushImage("2-2222222", labels("2-2222222", C2, "2026-01-02T00:00:00Z"), 300_000);
  config = join(dir, "powertrain.yml");
  writeFileSync(config, `name: app\nimage:\n  registry: "${registry}"\n  repository: ${repository}\n`);
  process.env.POWERTRAIN_REGISTRY_USER = credentials.username;
  process.env.POWERTRAIN_REGISTRY_PASSWORD = credentials.password;
});

afterAll(async () => {
  process.env = saved;
  for (const tag of await client.listTags(repository).catch(() => [] as string[])) {
    const digest = await client.manifestDigest(repository, tag).catch(() => undefined);
    if (digest) await client.deleteManifest(repository, digest).catch(() => undefined);
  }
  await client.close();
});

test("an image's facts come from manifests, config and attestations, not its layers", async () => {
  const reader = new RegistryClient({ registry, credentials });
  try {
    const facts = await readImageFacts({ client: reader, repository, reference: "2-2222222" });
    expect(facts).toMatchObject({
      digest: d2,
      version: "2-2222222",
      commit: C2,
      source: SOURCE,
      tests: { total: 12, passed: 11, skipped: 1, failed: 0, verified: false },
    });
    expect(facts.size).toBeGreaterThan(300_000);
    // The 300 kB layer was never fetched.
    expect(reader.bytesReceived).toBeLessThan(50_000);
  } finally {
    await reader.close();
  }
});

test("promote --dry-run: what moves into the target, against its current image; nothing moves", async () => {
  expect((await runCli("promote", "1-1111111", "--to", "prod", "-c", config)).code).toBe(0);

  const dry = await runCli(
    "promote",
    "2-2222222",
    "--to",
    "prod",
    "-c",
    config,
    "--dry-run",
    "--json",
    "--verify-key",
    keys.publicKey,
  );
  expect(dry.stderr).toBe("");
  expect(dry.code).toBe(0);
  const diff = JSON.parse(dry.stdout);
  expect(diff).toMatchObject({
    to: `${repository}:prod`,
    same: false,
    current: {
      digest: d1,
      version: "1-1111111",
      commit: C1,
      tests: { total: 10, passed: 10, verified: true },
    },
    coming: {
      digest: d2,
      version: "2-2222222",
      commit: C2,
      tests: { total: 12, passed: 11, verified: true },
    },
    compareUrl: `${SOURCE}/compare/${C1}...${C2}`,
  });
  expect(diff.sizeDelta).toBe(diff.coming.size - diff.current.size);
  expect(diff.sizeDelta).toBeGreaterThanOrEqual(100_000);
  expect(await client.manifestDigest(repository, "prod")).toBe(d1);

  const text = await runCli("promote", "2-2222222", "--to", "prod", "-c", config, "--dry-run");
  expect(text.stdout).toContain(`${repository}:prod: 1-1111111 → 2-2222222\n`);
  expect(text.stdout).toMatch(
    /^ {2}tests\s+10\/10 passed \(unverified\)\s+11\/12 passed, 1 skipped \(unverified\)$/m,
  );
  expect(text.stdout).toContain(`commits: ${SOURCE}/compare/${C1}...${C2}`);

  // Back to the older build: a rollback, said as such; a target nobody has tagged yet: a first promotion.
  const back = await runCli(
    "promote",
    "1-1111111",
    "--to",
    "prod",
    "-c",
    config,
    "--dry-run",
    "--against",
    "2-2222222",
  );
  expect(back.stdout).toMatch(/2-2222222 → 1-1111111 \(an older build: a rollback\)/);
  const first = await runCli("promote", "2-2222222", "--to", "staging", "-c", config, "--dry-run");
  expect(first.stdout).toMatch(/first promotion of 2-2222222/);
  expect(await client.manifestExists(repository, "staging")).toBe(false);
});

test("extract-config's approval summary: what moves and which variables the deploy reads", async () => {
  const work = tempDir("pt-ops-approval-");
  const [output, summary] = [join(work, "output"), join(work, "summary")];
  writeFileSync(output, "");
  writeFileSync(summary, "");
  const inputs: Record<string, string> = {
    image: `${registry}/${repository}:2-2222222`,
    environment: "prod",
    source: "registry",
    username: credentials.username,
    password: credentials.password,
    "compare-with": `${registry}/${repository}@${d1}`,
    "env-from": "DB_PASSWORD",
    "verify-key": keys.publicKey,
  };
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  Object.assign(process.env, { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, RUNNER_TEMP: work });
  try {
    await extractConfigAction({ logger: silentLogger } as never);
  } finally {
    for (const name of Object.keys(inputs)) delete process.env[`INPUT_${name.toUpperCase()}`];
  }
  const outputs = readFileSync(output, "utf8");
  expect(outputs).toContain(`${SOURCE}/compare/${C1}...${C2}`);
  const diff = JSON.parse(/^diff<<(\S+)\n([\s\S]*?)\n\1$/m.exec(outputs)![2]!);
  expect(diff).toMatchObject({
    current: { version: "1-1111111" },
    coming: { version: "2-2222222", digest: d2 },
  });
  const refused = JSON.parse(/^refused-references<<(\S+)\n([\s\S]*?)\n\1$/m.exec(outputs)![2]!);
  expect(refused).toEqual([{ name: "GITHUB_TOKEN", why: "never allowed: credentials" }]);

  const text = readFileSync(summary, "utf8");
  expect(text).toContain("What moves into prod");
  expect(text).toContain(`<a href="${SOURCE}/compare/${C1}...${C2}">Commits between them</a>`);
  expect(text).toContain("10/10 passed");
  expect(text).toContain("11/12 passed, 1 skipped");
  expect(text).not.toContain("(unverified)");
  expect(text).toMatch(/<code>DB_PASSWORD<\/code><\/td><td>allowed/);
  expect(text).toMatch(/<code>POWERTRAIN_VERSION<\/code><\/td><td>build metadata/);
  expect(text).toMatch(/<code>GITHUB_TOKEN<\/code><\/td><td>⛔ refused — never allowed: credentials/);
  expect(text).not.toContain(credentials.password);
});
