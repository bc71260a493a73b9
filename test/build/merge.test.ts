/**
 * The native-runner pattern against the real registry: each architecture built on its own
 * (here: the standalone builder, once per platform, pushed by digest to a repository of its
 * own), then `powertrain merge` makes one index of them under a tag through the registry API.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { registerMerge } from "../../packages/cli/src/commands/merge";
import { buildProgram, type CliContext, reportError } from "../../packages/cli/src/main";
import { exec } from "../../packages/core/src/exec/exec";
import { StreamLogger } from "../../packages/core/src/log";
import type { RegistryClient } from "../../packages/core/src/registry/client";
import { testEnv } from "../support/env";
import { uniqueName } from "../support/helpers";
import { registryLogin, standaloneBuilder } from "./builders";
import { ARCHES, fileInImage, multiarchApp, registryClient } from "./multiarch";

jest.setTimeout(300_000);

let login: Awaited<ReturnType<typeof registryLogin>>;
let client: RegistryClient;
/** Per architecture: `registry/repository@digest`, each pushed to a repository of its own. */
const pushed: Record<string, string> = {};
const target = `pt-test/${uniqueName("merged")}`;

beforeAll(async () => {
  const env = testEnv();
  login = await registryLogin();
  client = registryClient(env);
  const dir = await multiarchApp();
  for (const arch of ARCHES) {
    const ref = `${env.registry.host}/pt-test/${uniqueName(`native-${arch}`)}`;
    const metadata = join(dir, `${arch}.json`);
    // What each native runner's job does: build its own platform, push by digest.
    await exec(
      "docker",
      [
        "buildx",
        "build",
        "--builder",
        standaloneBuilder(env).builder,
        "--platform",
        `linux/${arch}`,
        "--target",
        "final",
        "--provenance=false",
        "--push",
        "--tag",
        `${ref}:${arch}`,
        "--metadata-file",
        metadata,
        dir,
      ],
      {
        env: {
          DOCKER_CONFIG: login.configDir,
          BUILDX_CONFIG: join(process.env.HOME ?? "/root", ".docker/buildx"),
        },
      },
    );
    const digest = (JSON.parse(readFileSync(metadata, "utf8")) as Record<string, string>)[
      "containerimage.digest"
    ];
    pushed[arch] = `${ref}@${digest}`;
  }
});
afterAll(async () => {
  await login?.dispose();
  await client?.close();
});

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  return Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { text: () => chunks.join("") },
  );
}

async function powertrain(...args: string[]) {
  const out = sink();
  const err = sink();
  const ctx: CliContext = { logger: new StreamLogger(err), out };
  const program = buildProgram(ctx);
  if (!program.commands.some((c) => c.name() === "merge")) registerMerge(program, ctx);
  let code = 0;
  const { user, password } = testEnv().registry;
  const saved = { ...process.env };
  Object.assign(process.env, { POWERTRAIN_REGISTRY_USER: user, POWERTRAIN_REGISTRY_PASSWORD: password });
  try {
    await program.parseAsync(["node", "powertrain", ...args]);
  } catch (e) {
    code = reportError(e, ctx);
  } finally {
    process.env = saved;
  }
  return { code, stdout: out.text(), stderr: err.text() };
}

test("merge: one index of both digests under the tag, the images mounted into its repository", async () => {
  const host = testEnv().registry.host;
  const r = await powertrain("merge", pushed.amd64!, pushed.arm64!, "--tag", `${host}/${target}:1`, "--json");
  expect(r.stderr).not.toMatch(/error/);
  expect(r.code).toBe(0);
  const result = JSON.parse(r.stdout) as { ref: string; digest: string; entries: { platform: string }[] };
  expect(result.ref).toBe(`${host}/${target}:1`);
  expect(result.entries.map((e) => e.platform)).toEqual(["linux/amd64", "linux/arm64"]);
  const index = await client.getManifest(target, "1");
  expect(index.digest).toBe(result.digest);
  if (index.manifest.kind !== "index") throw new Error("not an index");
  // Every child is readable in the target repository, down to its layers.
  const machines = [];
  for (const m of index.manifest.manifests)
    machines.push((await fileInImage(client, target, m.digest, "machine.txt"))?.trim());
  expect(machines).toEqual(["x86_64", "aarch64"]);
});

test("an index merged again with one of its own images keeps it once; a target without a tag is a usage error", async () => {
  const host = testEnv().registry.host;
  const first = await powertrain(
    "merge",
    pushed.amd64!,
    pushed.arm64!,
    "--tag",
    `${host}/${target}:2`,
    "--json",
  );
  const { digest } = JSON.parse(first.stdout) as { digest: string };
  const other = await powertrain(
    "merge",
    `${host}/${target}@${digest}`,
    pushed.amd64!,
    "--tag",
    `${host}/${target}:3`,
  );
  // The same amd64 digest twice is fine (kept once); a different one for amd64 would not be.
  expect(other.code).toBe(0);
  const bad = await powertrain("merge", pushed.arm64!, "--tag", `${host}/${target}`);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/needs a tag|expected registry\/repository:tag/);
});
