/**
 * build.cache on real builders: a fresh standalone buildkitd (empty cache, as on a new hosted
 * runner) exports the cache to the test registry; after a source change another fresh one
 * builds with it and the test stage's dependency step comes from the registry. On the classic
 * builder the cache is a warning, not a failure.
 */
import { appendFileSync, cpSync } from "node:fs";
import { join } from "node:path";
import { type BuildResult, runBuild } from "../../packages/core/src/build";
import { loadConfig } from "../../packages/core/src/config/load";
import type { PowertrainConfig } from "../../packages/core/src/config/schema";
import { testEnv } from "../support/env";
import { tempDir, uniqueName } from "../support/helpers";
import { registryLogin, standaloneBuilder } from "./builders";
import { freshBuilder } from "./fresh-builder";
import { buildKitBuilds, imageNames, REPO_ROOT, recordingLogger } from "./support";

jest.setTimeout(300_000);

const images = imageNames();
let login: Awaited<ReturnType<typeof registryLogin>>;
beforeAll(async () => {
  login = await registryLogin();
});
afterAll(async () => {
  await images.cleanup();
  await login?.dispose();
});

const INSTALL = /^\[build \d+\/\d+\] RUN .*node scripts\/install\.js/;
const TESTS = /^\[test \d+\/\d+\] RUN /;
/** What the fixture's install step prints when it runs; a step from the cache prints nothing. */
const INSTALLING = /^#\d+ [\d.]+ installing dependencies$/;

/** A copy of the passing app whose powertrain.yml names the test registry and `cache`. */
async function app(build: NonNullable<PowertrainConfig["build"]>) {
  const dir = tempDir("pt-build-cache-");
  cpSync(join(REPO_ROOT, "test/fixtures/apps/passing"), dir, { recursive: true });
  const configFile = join(dir, "powertrain.yml");
  const loaded = (await loadConfig(configFile)).config;
  const config: PowertrainConfig = {
    ...loaded,
    name: uniqueName("pt-build-cache"),
    image: { registry: testEnv().registry.host },
    build: { ...loaded.build, ...build },
  };
  return { dir, configFile, config };
}

describe("the registry cache on fresh standalone builders", () => {
  let cold: { result: BuildResult; lines: string[] };
  let warm: { result: BuildResult; lines: string[] };

  beforeAll(async () => {
    const env = testEnv();
    const { dir, configFile, config } = await app({ cache: "registry" });
    const onFresh = async () => {
      const name = uniqueName("pt-cache-builder");
      const builder = await freshBuilder(env, name);
      const logger = recordingLogger();
      try {
        const result = await runBuild(
          {
            configFile,
            config,
            cwd: dir,
            image: images.next("pt-build-cache"),
            buildArgs: { BASE: standaloneBuilder(env).images.node },
          },
          {
            logger,
            smokeTest: false,
            builder: { kind: "buildx", name, driver: "remote" },
            dockerConfig: login.configDir,
          },
        );
        return { result, lines: logger.lines };
      } finally {
        await builder.dispose();
      }
    };
    cold = await onFresh();
    // A new commit: the source changes, package.json does not.
    appendFileSync(join(dir, "src/app.js"), "// a change that keeps the dependencies\n");
    warm = await onFresh();
  });

  test("the cold build installs, runs the tests and exports the cache (mode=max)", () => {
    expect(cold.lines.filter((l) => INSTALLING.test(l))).toHaveLength(1);
    expect(cold.lines.some((l) => /exporting cache to registry|writing cache manifest/.test(l))).toBe(true);
    expect(cold.result.tests).toMatchObject({ passed: 3, failed: 0 });
  });

  test("the next fresh builder takes the dependency step from the registry and runs the tests again", () => {
    const [testBuild, finalBuild] = buildKitBuilds(warm.lines);
    // A step served from a remote cache shows its layers being pulled, and "CACHED" only sometimes:
    // that it did not run is what counts.
    expect(testBuild!.some((s) => INSTALL.test(s.name))).toBe(true);
    expect(warm.lines.filter((l) => INSTALLING.test(l))).toEqual([]);
    expect(testBuild!.find((s) => TESTS.test(s.name))?.cached).toBe(false);
    expect(finalBuild!.filter((s) => / RUN /.test(s.name)).every((s) => s.cached)).toBe(true);
    // The reports of this commit's run come out.
    expect(warm.result.tests).toMatchObject({ passed: 3, failed: 0, skipped: 1 });
  });
});

test("on the classic builder the cache is a clear warning, and the build succeeds", async () => {
  const env = testEnv();
  const { dir, configFile, config } = await app({ cache: "registry" });
  const logger = recordingLogger();
  const result = await runBuild(
    {
      configFile,
      config,
      cwd: dir,
      image: images.next("pt-build-cache-classic"),
      buildArgs: { BASE: env.images.node },
    },
    { logger, smokeTest: false, builder: { kind: "classic" } },
  );
  expect(logger.warnings).toEqual([
    expect.stringMatching(/^--cache-from: the layer cache needs BuildKit/),
    expect.stringMatching(/^--cache-to: cache export needs BuildKit/),
  ]);
  expect(result.tests).toMatchObject({ passed: 3, failed: 0 });
});
