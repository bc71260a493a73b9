/**
 * The build pipeline against the real dockerd, on each of the three builders (classic, buildx
 * with the daemon's BuildKit, the standalone buildkitd): fixture apps built on the local base
 * images (from the registry for the standalone builder), unit tests inside the Dockerfile,
 * reports out even on failure, labels, image report and checks, cache reuse; the smoke test.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BuildError, type BuildResult, configFromLabels, runBuild } from "../../packages/core/src/build";
import { loadConfig } from "../../packages/core/src/config/load";
import type { PowertrainConfig } from "../../packages/core/src/config/schema";
import { exec } from "../../packages/core/src/exec/exec";
import { freshBaseImage, pruneFreshBaseImages, tempDir, uniqueName } from "../support/helpers";
import { type BuilderCase, builderCases, registryLogin } from "./builders";
import { buildKitBuilds, fixtureConfig, imageNames, lineIndex, recordingLogger } from "./support";

jest.setTimeout(180_000);

const images = imageNames();
let login: Awaited<ReturnType<typeof registryLogin>> | undefined;
beforeAll(async () => {
  login = await registryLogin();
});
afterAll(async () => {
  await images.cleanup();
  await pruneFreshBaseImages();
  await login?.dispose();
});

const BUILDERS = builderCases();
const CLASSIC = BUILDERS[0]!;

const ciEnv = {
  ...process.env,
  GITHUB_ACTIONS: "true",
  GITHUB_RUN_NUMBER: "17",
  GITHUB_RUN_ID: "4242",
  GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
  GITHUB_REF: "refs/heads/main",
  GITHUB_REF_NAME: "main",
  GITHUB_REF_TYPE: "branch",
  GITHUB_REPOSITORY: "acme/web",
  GITHUB_SERVER_URL: "https://github.example",
  GITHUB_ACTOR: "builder-bot",
  GITHUB_EVENT_NAME: "push",
};

/** runBuild's options for this builder: the builder itself, and the registry login it may need. */
function on(bc: BuilderCase) {
  return { builder: bc.builder, dockerConfig: bc.login ? login?.configDir : undefined };
}

async function build(
  app: Parameters<typeof fixtureConfig>[0],
  options: {
    image: string;
    config?: (c: PowertrainConfig) => PowertrainConfig;
    smokeTest?: boolean;
    base?: string;
    on?: BuilderCase;
  },
) {
  const bc = options.on ?? CLASSIC;
  const file = fixtureConfig(app);
  const loaded = (await loadConfig(file)).config;
  const config = options.config ? options.config(loaded) : loaded;
  const base = options.base ?? (app === "passing" || app === "failing" ? bc.images.node : bc.images.busybox);
  const logger = recordingLogger();
  const run = runBuild(
    { configFile: file, config, image: options.image, buildArgs: { BASE: base } },
    { logger, env: ciEnv, smokeTest: options.smokeTest ?? false, ...on(bc) },
  );
  return { run, logger, config };
}

describe.each(BUILDERS)("on the $label builder", (bc) => {
  const classic = bc.builder.kind === "classic";

  describe("an app whose tests pass", () => {
    let first: BuildResult;
    let second: BuildResult;
    let firstLog: string[];
    let secondLog: string[];
    let config: PowertrainConfig;

    beforeAll(async () => {
      const image = images.next("pt-build-passing");
      // A cold cache for the first build, as on a fresh CI runner (the standalone builder reads
      // its base from the registry, and its cache is its own).
      const base = bc.login ? undefined : await freshBaseImage(bc.images.node, images.next("pt-build-base"));
      const a = await build("passing", { image, base, on: bc });
      first = await a.run;
      firstLog = a.logger.lines;
      config = a.config;
      const b = await build("passing", { image, base, on: bc });
      second = await b.run;
      secondLog = b.logger.lines;
    });

    test("the test stage's JUnit report comes out of the build", () => {
      expect(first.tests).toMatchObject({
        passed: 3,
        failed: 0,
        skipped: 1,
        total: 4,
        reports: ["junit.xml"],
      });
      expect(first.tests?.slowest.map((t) => t.name)).toEqual(
        expect.arrayContaining(["answers the health check", "greets", "unknown paths are 404"]),
      );
    });

    test("the image carries OCI labels, build metadata and the resolved powertrain.yml", async () => {
      const inspect = await exec("docker", [
        "image",
        "inspect",
        "--format",
        "{{json .Config.Labels}}",
        first.imageId,
      ]);
      const labels = JSON.parse(inspect.stdout) as Record<string, string>;
      expect(labels).toMatchObject({
        "org.opencontainers.image.title": "pt-build-fixture-passing",
        "org.opencontainers.image.revision": ciEnv.GITHUB_SHA,
        "org.opencontainers.image.source": "https://github.example/acme/web",
        "org.opencontainers.image.version": "17-0123456",
        "dev.powertrain.build-number": "17",
        "dev.powertrain.run-id": "4242",
        "dev.powertrain.run-url": "https://github.example/acme/web/actions/runs/4242",
        "dev.powertrain.ref": "refs/heads/main",
        "dev.powertrain.actor": "builder-bot",
        "dev.powertrain.schema": "1",
      });
      expect(Date.parse(labels["org.opencontainers.image.created"]!)).toBeGreaterThan(Date.now() - 600_000);
      expect(configFromLabels(labels)).toEqual(config);
      expect(configFromLabels(labels)).toMatchObject({
        environments: { ci: { run: { env: { GREETING: "hello, smoke" } } } },
      });
    });

    test("the image report lists every layer with its instruction, largest first", () => {
      const { report } = first;
      expect(report.runsAsRoot).toBe(false);
      expect(report.user).toBe("node");
      const sizes = report.layers.map((l) => l.size);
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
      expect(
        report.layers.some((l) => /^COPY .*\.\/node_modules/.test(l.instruction) && l.size > 1_000_000),
      ).toBe(true);
      expect(first.size).toBe(report.size);
      expect(first.checks).toEqual({ warnings: [], errors: [] });
    });

    const INSTALL_STEP = /^Step \d+\/\d+ : RUN .*node scripts\/install\.js/;

    /** Whether the step starting at line `step` was served from the cache (its first " ---> " line says so). */
    function cachedAt(log: string[], step: number): boolean {
      const result = lineIndex(log, /^\s*---> /, step + 1);
      return step >= 0 && result > step && /---> Using cache$/.test(log[result]!);
    }

    const classicTest = classic ? test : test.skip;
    const buildKitTest = classic ? test.skip : test;
    const INSTALL = /^\[build \d+\/\d+\] RUN .*node scripts\/install\.js/;

    buildKitTest("BuildKit: the final image reuses the test stage's layers, no RUN runs again", () => {
      // Two builds in the log: the test stage, the final image (labelled directly).
      const [testBuild, finalBuild, ...more] = buildKitBuilds(firstLog);
      expect(more).toEqual([]);
      expect(testBuild?.some((s) => INSTALL.test(s.name))).toBe(true);
      const runs = finalBuild!.filter((s) => / RUN /.test(s.name));
      expect(runs.map((s) => s.name)).toEqual([expect.stringMatching(INSTALL)]);
      expect(runs.every((s) => s.cached)).toBe(true);
      expect(first.cachedSteps.final).toBeGreaterThanOrEqual(4);
    });

    buildKitTest("BuildKit: a second build hits the cache for every step of the test stage", () => {
      const [testBuild] = buildKitBuilds(secondLog);
      expect(testBuild!.length).toBeGreaterThanOrEqual(6);
      // FROM only resolves the base; every step after it comes from the cache.
      expect(testBuild!.filter((s) => !s.cached && !/\] FROM /.test(s.name))).toEqual([]);
      expect(second.tests).toMatchObject({ passed: 3, failed: 0, skipped: 1 });
    });

    classicTest(
      "the final image reuses the test stage's dependency layer instead of installing again",
      () => {
        // The classic builder goes through the build stage again for the final target: the install step must be cached.
        const testInstall = lineIndex(firstLog, INSTALL_STEP);
        const finalInstall = lineIndex(firstLog, INSTALL_STEP, testInstall + 1);
        expect(finalInstall).toBeGreaterThan(testInstall);
        expect(cachedAt(firstLog, finalInstall)).toBe(true);
        expect(first.cachedSteps.final).toBeGreaterThanOrEqual(6);
      },
    );

    classicTest(
      "the final build only copies the app in: the runtime settings were built with the test stage",
      () => {
        // Three builds in the log: the test stage, the final image, its labels.
        const FIRST_STEP = /^Step 1\/\d+ : /;
        const finalBuild = lineIndex(firstLog, FIRST_STEP, lineIndex(firstLog, FIRST_STEP) + 1);
        const labelBuild = lineIndex(firstLog, FIRST_STEP, finalBuild + 1);
        expect(finalBuild).toBeGreaterThan(lineIndex(firstLog, INSTALL_STEP));
        expect(firstLog.slice(labelBuild).find((l) => l.startsWith("Step 2/2"))).toMatch(
          /^Step 2\/2 : LABEL /,
        );
        // Only COPY steps may run (they show no container); USER, EXPOSE, HEALTHCHECK, CMD come from the cache.
        expect(firstLog.slice(finalBuild, labelBuild).filter((l) => /---> Running in/.test(l))).toEqual([]);
      },
    );

    classicTest("a second build hits the cache for every step of the test stage", () => {
      expect(second.cachedSteps.test).toBeGreaterThanOrEqual(8);
      expect(cachedAt(secondLog, lineIndex(secondLog, INSTALL_STEP))).toBe(true);
      expect(secondLog.filter((l) => /---> Running in/.test(l)).length).toBeLessThanOrEqual(1); // only LABEL
      // The reports survive in the cached test layer: the tests still count.
      expect(second.tests).toMatchObject({ passed: 3, failed: 0, skipped: 1 });
    });
  });

  describe("an app with a failing test", () => {
    test("the build fails with the recorded status, the failure has its file and line", async () => {
      const { run } = await build("failing", { image: images.next("pt-build-failing"), on: bc });
      const err = (await run.catch((e) => e)) as BuildError;
      expect(err).toBeInstanceOf(BuildError);
      expect(err.message).toMatch(/^1 of 6 tests failed\n {2}✗ multiplies: .*42 !== 41/);
      expect(err.partial.testStatus).toBe(1);
      expect(err.partial.tests).toMatchObject({ passed: 4, failed: 1, skipped: 1 });
      expect(err.partial.tests?.failures).toEqual([
        expect.objectContaining({
          name: "multiplies",
          location: { file: "test/fixtures/apps/failing/test/math.test.js", line: 9, column: 10 },
        }),
      ]);
    });
  });

  describe("image checks", () => {
    test("over the size budget: fails saying by how much", async () => {
      const image = images.next("pt-build-oversize");
      const { run } = await build("oversize", { image, on: bc });
      const err = (await run.catch((e) => e)) as BuildError;
      expect(err).toBeInstanceOf(BuildError);
      expect(err.message).toMatch(
        new RegExp(`image ${image} is [\\d.]+ MB, over its size budget of 3.00 MB by [\\d.]+ MB`),
      );
      expect(err.partial.report?.size).toBeGreaterThan(3_000_000);
      expect(err.partial.report?.layers[0]?.instruction).toMatch(/^RUN dd if=\/dev\/zero/);
    });

    test("runs as root with build.root: error → fails", async () => {
      const { run } = await build("root", { image: images.next("pt-build-root"), on: bc });
      const err = (await run.catch((e) => e)) as BuildError;
      expect(err).toBeInstanceOf(BuildError);
      expect(err.message).toMatch(
        /runs as root \(no USER instruction\); add a USER instruction, or set build.root: allow/,
      );
      expect(err.partial.report?.runsAsRoot).toBe(true);
    });

    test("runs as root by default → a warning, the build succeeds", async () => {
      const { run, logger } = await build("root", {
        image: images.next("pt-build-root-warn"),
        on: bc,
        config: (c) => ({ ...c, build: { ...c.build, root: undefined } }),
      });
      const result = await run;
      expect(result.report.runsAsRoot).toBe(true);
      expect(logger.warnings).toEqual([expect.stringMatching(/runs as root/)]);
    });
  });
});

describe("smoke test (classic builder)", () => {
  async function leftovers(image: string): Promise<string> {
    const containers = await exec("docker", ["ps", "--all", "--quiet", "--filter", `ancestor=${image}`]);
    const networks = await exec("docker", [
      "network",
      "ls",
      "--quiet",
      "--filter",
      `label=dev.powertrain.smoke-test=${image}`,
    ]);
    return `${containers.stdout}${networks.stdout}`.trim();
  }

  test("starts the ci run configuration, waits for health, runs the command against it, cleans up", async () => {
    const image = images.next("pt-build-smoke");
    const { run } = await build("passing", { image, smokeTest: true });
    const result = await run;
    expect(result.smoke).toMatchObject({ passed: true });
    expect(await leftovers(image)).toBe("");
  });

  test("a failing smoke command fails the build and still tears everything down", async () => {
    const image = images.next("pt-build-smoke-fail");
    const { run } = await build("passing", {
      image,
      smokeTest: true,
      config: (c) => ({
        ...c,
        build: {
          ...c.build,
          "smoke-test": { command: 'wget -q -O - "$SMOKE_URL/hello"; echo smoke-broke; exit 3' },
        },
      }),
    });
    const err = (await run.catch((e) => e)) as BuildError;
    expect(err).toBeInstanceOf(BuildError);
    // The ci run configuration (the default) answered: the command reached the app before it failed.
    expect(err.message).toMatch(
      /smoke test failed \(exit code 3\); last lines:\n(.|\n)*hello, smoke\nsmoke-broke/,
    );
    expect(await leftovers(image)).toBe("");
  });
});

describe.each(BUILDERS)("on the $label builder", (bc) => {
  describe("test stages that leave no JUnit report", () => {
    /** A one-file app whose test stage runs `testCommand`, on the busybox base image. */
    function appWithTestStage(run: string): { file: string; config: PowertrainConfig; label: string } {
      const dir = tempDir("pt-build-noreport-");
      const label = `dev.powertrain.test.app=${uniqueName("noreport")}`;
      writeFileSync(
        join(dir, "Dockerfile"),
        [
          "ARG BASE=powertrain-test/busybox:1",
          "FROM ${BASE} AS test",
          `LABEL ${label}`,
          `RUN ${run}`,
          "FROM ${BASE} AS final",
          "USER 65534",
          "",
        ].join("\n"),
      );
      const config: PowertrainConfig = {
        name: "pt-build-noreport",
        build: { target: "final", "test-target": "test" },
      };
      const file = join(dir, "powertrain.yml");
      writeFileSync(file, JSON.stringify(config));
      return { file, config, label };
    }

    async function failure(run: string): Promise<BuildError> {
      const { file, config, label } = appWithTestStage(run);
      const err = await runBuild(
        {
          configFile: file,
          config,
          image: images.next("pt-build-noreport"),
          buildArgs: { BASE: bc.images.busybox },
        },
        { logger: recordingLogger(), env: ciEnv, ...on(bc) },
      ).catch((e) => e);
      expect(err).toBeInstanceOf(BuildError);
      // Nothing left behind: the classic builder keeps a failed step's container unless told not to.
      const left = await exec("docker", ["ps", "-aq", "--filter", `label=${label}`]);
      expect(left.stdout.trim()).toBe("");
      return err as BuildError;
    }

    test("a recorded failure without XML: the output's tail is the error", async () => {
      const err = await failure(
        "mkdir -p /reports && (sh -c 'echo compiling; echo \"error: missing script: test\"; exit 2' > /reports/output.txt 2>&1; echo $? > /reports/status)",
      );
      expect(err.message).toBe(
        "the tests failed (exit status 2); last lines of output:\ncompiling\nerror: missing script: test",
      );
      expect(err.partial.testStatus).toBe(2);
    });

    test("a stage that ignores the convention and fails its RUN: the build log's tail is the error", async () => {
      const err = await failure("echo 'assertion failed in widget.test' && exit 4");
      // buildx exits 1 whatever the step's status; the log names it.
      expect(err.message).toMatch(
        new RegExp(
          `^docker could not build the test stage "test" \\(exit code ${bc.builder.kind === "classic" ? 4 : 1}\\); last lines:\n`,
        ),
      );
      expect(err.message).toContain("assertion failed in widget.test");
      expect(err.message).toMatch(/(returned a non-zero code|exit code): 4/);
    });
  });
});
