/** `powertrain build` from the command line, against the real dockerd. */
import { Writable } from "node:stream";
import { registerBuild } from "../../packages/cli/src/commands/build";
import { buildProgram, type CliContext, reportError } from "../../packages/cli/src/main";
import { exec } from "../../packages/core/src/exec/exec";
import { StreamLogger } from "../../packages/core/src/log";
import { testEnv } from "../support/env";
import { standaloneBuilder } from "./builders";
import { fixtureConfig, imageNames } from "./support";

jest.setTimeout(180_000);

const images = imageNames();
afterAll(() => images.cleanup());

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join("") });
}

async function powertrain(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const ctx: CliContext = { logger: new StreamLogger(err), out };
  const program = buildProgram(ctx);
  // Until the command list includes it, register build here.
  if (!program.commands.some((c) => c.name() === "build")) registerBuild(program, ctx);
  let code = 0;
  try {
    await program.parseAsync(["node", "powertrain", ...args]);
  } catch (e) {
    code = reportError(e, ctx);
  }
  return { code, stdout: out.text(), stderr: err.text() };
}

const imageExists = async (ref: string) =>
  (await exec("docker", ["image", "inspect", ref], { allowFailure: true })).exitCode === 0;

/** Runs `fn` with DOCKER_BUILDKIT set as given (the classic builder even where buildx is installed). */
async function withBuildKitFlag<T>(flag: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.DOCKER_BUILDKIT;
  process.env.DOCKER_BUILDKIT = flag;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.DOCKER_BUILDKIT;
    else process.env.DOCKER_BUILDKIT = saved;
  }
}

test("--dry-run prints the docker commands and builds nothing", async () => {
  const image = images.next("pt-build-cli-dry");
  const r = await withBuildKitFlag("0", () =>
    powertrain("build", "--config", fixtureConfig("passing"), "--dry-run", "--image", image),
  );
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split("\n");
  expect(lines[0]).toBe(
    `DOCKER_BUILDKIT=0 docker build --force-rm --tag ${image}-test --target test test/fixtures/apps/passing`,
  );
  expect(lines[1]).toBe(`docker create ${image}-test`);
  expect(lines[4]).toBe(
    "DOCKER_BUILDKIT=0 docker build --force-rm --target final test/fixtures/apps/passing",
  );
  // The classic builder gets its labels in one step, from a Dockerfile on stdin.
  expect(lines[5]).toBe(`DOCKER_BUILDKIT=0 docker build --force-rm --tag ${image} - <<'DOCKERFILE'`);
  expect(lines[6]).toBe("FROM <final image id>");
  expect(r.stdout).toMatch(/^LABEL "dev.powertrain.ci"="local" \\\n(.|\n)*"dev.powertrain.config"="\{/m);
  expect(lines.slice(-2)).toEqual([
    `docker image inspect ${image}`,
    expect.stringMatching(/^docker history /),
  ]);
  expect(await imageExists(image)).toBe(false);
});

test("--dry-run on a named builder: --builder, the cache and secrets by name, --load", async () => {
  const builder = standaloneBuilder().builder;
  const image = images.next("pt-build-cli-dry-buildx");
  const r = await powertrain(
    "build",
    "-c",
    fixtureConfig("passing"),
    "--dry-run",
    "--image",
    image,
    "--builder",
    builder,
    "--cache-from",
    "type=local,src=/tmp/pt-cache",
    "--cache-to",
    "type=local,dest=/tmp/pt-cache,mode=max",
    "--secret-env",
    "npm=NPM_TOKEN",
    "--ssh",
    "default",
  );
  expect(r.code).toBe(0);
  const [testStage] = r.stdout.trim().split("\n");
  expect(testStage).toBe(
    `DOCKER_BUILDKIT=1 docker buildx build --builder ${builder} --load --progress=plain --tag ${image}-test ` +
      "--target test --cache-from type=local,src=/tmp/pt-cache --cache-to type=local,dest=/tmp/pt-cache,mode=max " +
      "--secret id=npm,env=NPM_TOKEN --ssh default test/fixtures/apps/passing",
  );
});

test("--builder naming no builder is a usage error", async () => {
  const r = await powertrain(
    "build",
    "-c",
    fixtureConfig("passing"),
    "--dry-run",
    "--builder",
    "pt-no-such-builder",
  );
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/docker buildx cannot use builder pt-no-such-builder/);
});

test("--no-tests leaves out the test stage", async () => {
  const r = await powertrain("build", "-c", fixtureConfig("passing"), "--dry-run", "--no-tests", "--json");
  const { commands } = JSON.parse(r.stdout) as { commands: string[] };
  expect(commands.some((c) => c.includes("--target test"))).toBe(false);
  expect(commands[0]).toMatch(/--target final/);
});

test("a build over budget: exit code 1, the report on stderr, the reason in --json", async () => {
  const image = images.next("pt-build-cli-oversize");
  const r = await powertrain(
    "build",
    "-c",
    fixtureConfig("oversize"),
    "--image",
    image,
    "--build-arg",
    `BASE=${testEnv().images.busybox}`,
    "--json",
  );
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/layers, largest first:\n\s+4\.\d+ MB {2}RUN dd if=\/dev\/zero/);
  expect(r.stderr).toMatch(/error: image .* is [\d.]+ MB, over its size budget of 3.00 MB by [\d.]+ MB/);
  expect(JSON.parse(r.stdout)).toMatchObject({
    error: expect.stringMatching(/over its size budget/),
    report: { image },
  });
});

test("a bad --build-arg is a usage error", async () => {
  const r = await powertrain("build", "-c", fixtureConfig("root"), "--build-arg", "NOEQUALS", "--dry-run");
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--build-arg: expected KEY=value, got "NOEQUALS"');
});
