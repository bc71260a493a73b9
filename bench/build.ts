/**
 * Benchmark of the build: does the final image really come almost for free
 * after the test stage? Builds the passing fixture app (a copy, in a temp
 * directory) three ways and prints the times:
 *
 *   1. cold:   test stage from a cold cache, then the final image
 *   2. alone:  the final image alone from a cold cache (no test stage)
 *   3. warm:   test stage + final image after a one-line source change
 *   4. registry cache: a fresh builder (a buildkitd with an empty cache, as on a new hosted
 *      runner) builds cold and exports the cache to the registry (type=registry, mode=max);
 *      after a one-line source change (dependencies unchanged) another fresh builder builds
 *      with that cache — its test stage as a share of the cold one's
 *
 * A cold cache is a base image of its own per build (freshBaseImage), as a
 * fresh CI runner has no layer on it yet.
 *
 * Targets: the final build after the test stage costs under 15% of building
 * the final image alone from a cold cache; with the registry cache, a fresh
 * builder's test stage costs at most 30% of a cold one. That share has fixed
 * costs a cache cannot save (pulling the base and the cached layers into the
 * empty builder, running the tests, loading the test image into the daemon:
 * about 5 s here), so it depends on how slow the dependency step is: measured
 * 16% with --install-ms 20000 (an `npm ci` of a mid-sized app), 55-67% with
 * the default 2000.
 *
 * Usage: bench/build [--runs N] [--base IMAGE] [--install-ms MS] [--no-registry-cache] [--verbose]
 *   --base        base image (default PT_IMAGE_NODE, else powertrain-test/node:20)
 *   --install-ms  how long the fixture's stand-in for `npm ci` takes (default 2000); the final
 *                 build's own cost is fixed, so the ratio depends on how slow a cold build is
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type BuildRequest, type BuildRunOptions, runBuild } from "../packages/core/src/build";
import { loadConfig } from "../packages/core/src/config/load";
import { describeBuilder } from "../packages/core/src/docker/builder";
import { exec } from "../packages/core/src/exec/exec";
import { type Logger, silentLogger } from "../packages/core/src/log";
import { dockerLogin } from "../packages/core/src/publish/docker-login";
import { freshBuilder } from "../test/build/fresh-builder";
import { testEnv } from "../test/support/env";
import { freshBaseImage, median, pruneFreshBaseImages } from "../test/support/helpers";

const TARGET = 0.15;
const CACHE_TARGET = 0.3;

interface Times {
  test: number;
  final: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "3" },
      base: { type: "string" },
      "install-ms": { type: "string", default: "2000" },
      "no-registry-cache": { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
    },
  });
  const runs = Math.max(1, Number(values.runs) || 1);
  const base = values.base ?? process.env.PT_IMAGE_NODE ?? "powertrain-test/node:20";
  const fixture = resolve(__dirname, "../test/fixtures/apps/passing");
  const work = mkdtempSync(join(tmpdir(), "powertrain-bench-build-"));
  const tag = `pt-build-bench-${randomBytes(4).toString("hex")}`;
  // Every image gets a name of its own, removed at the end with its untagged parents.
  const made: string[] = [];
  try {
    cpSync(fixture, work, { recursive: true });
    const configFile = join(work, "powertrain.yml");
    const { config } = await loadConfig(configFile);
    const request: BuildRequest = {
      configFile,
      config,
      image: tag,
      buildArgs: { BASE: base, INSTALL_MS: values["install-ms"] },
      cwd: work,
    };
    let builder = "";
    const build = async (
      fromBase: string,
      extra: Partial<BuildRequest> = {},
      options: Partial<BuildRunOptions> = {},
    ): Promise<Times> => {
      const logger = values.verbose ? stampedLogger() : silentLogger;
      const buildArgs = { ...request.buildArgs, BASE: fromBase };
      const image = `${tag}:${made.length + 1}`;
      made.push(image, `${image}-test`);
      // Today's three figures on the classic builder, where a fresh base image is a cold cache.
      const r = await runBuild(
        { ...request, image, buildArgs, ...extra },
        { logger, smokeTest: false, builder: { kind: "classic" }, ...options },
      );
      builder ||= describeBuilder(r.builder);
      return { test: r.durationsMs.test ?? 0, final: r.durationsMs.final };
    };

    const cold: Times[] = [];
    const alone: Times[] = [];
    const warm: Times[] = [];
    for (let i = 0; i < runs; i++) {
      made.push(`${tag}-cold-${i}`, `${tag}-alone-${i}`);
      cold.push(await build(await freshBaseImage(base, `${tag}-cold-${i}`)));
      alone.push(await build(await freshBaseImage(base, `${tag}-alone-${i}`), { skipTests: true }));
      appendFileSync(join(work, "src/app.js"), `// change ${i}\n`);
      warm.push(await build(`${tag}-cold-${i}`));
    }

    const fresh: { cold: Times; cached: Times }[] = [];
    if (!values["no-registry-cache"]) {
      const env = testEnv();
      const bases = env.buildkit?.images;
      if (!bases) throw new Error("the test env has no buildkitd — run ./scripts/setup");
      const { host, user, password } = env.registry;
      const login = await dockerLogin(host, { username: user, password }, silentLogger);
      // One cache image, written over by every cold build: nothing piles up in the registry.
      const ref = `${host}/pt-bench/build-cache:buildcache`;
      const onFresh = async (name: string, extra: Partial<BuildRequest>): Promise<Times> => {
        const b = await freshBuilder(env, name);
        try {
          const builder = { kind: "buildx", name, driver: "remote" } as const;
          return await build(bases.node, extra, { builder, dockerConfig: login.configDir });
        } finally {
          await b.dispose();
        }
      };
      try {
        for (let i = 0; i < runs; i++) {
          const cold = await onFresh(`${tag}-cold-${i}`, {
            cacheTo: [`type=registry,ref=${ref},mode=max`],
          });
          appendFileSync(join(work, "src/app.js"), `// cached change ${i}\n`);
          const cached = await onFresh(`${tag}-cached-${i}`, { cacheFrom: [`type=registry,ref=${ref}`] });
          fresh.push({ cold, cached });
        }
      } finally {
        await login.dispose();
      }
    }

    const m = (list: Times[], key: keyof Times) => median(list.map((t) => t[key]));
    const ratio = m(cold, "final") / m(alone, "final");
    const rows: [string, number, number][] = [
      ["cold: test stage + final image", m(cold, "test"), m(cold, "final")],
      ["final image alone, cold cache", 0, m(alone, "final")],
      ["warm: one-line source change", m(warm, "test"), m(warm, "final")],
    ];
    const freshCold = fresh.map((f) => f.cold);
    const freshCached = fresh.map((f) => f.cached);
    if (fresh.length > 0) {
      rows.push(
        ["fresh builder, cold, cache to registry", m(freshCold, "test"), m(freshCold, "final")],
        ["fresh builder, registry cache, change", m(freshCached, "test"), m(freshCached, "final")],
      );
    }
    console.log(
      `build benchmark (${runs} run${runs === 1 ? "" : "s"}, median; base ${base}; install step ${values["install-ms"]} ms)`,
    );
    console.log(
      `builder: ${builder}${fresh.length > 0 ? "; fresh builders: standalone buildkitd, empty state each" : ""}\n`,
    );
    console.log(`${"".padEnd(40)}${"test stage".padStart(12)}${"final".padStart(10)}${"total".padStart(10)}`);
    for (const [name, test, final] of rows) {
      console.log(
        `${name.padEnd(40)}${fmt(test).padStart(12)}${fmt(final).padStart(10)}${fmt(test + final).padStart(10)}`,
      );
    }
    let ok = ratio < TARGET;
    console.log(
      `\nfinal build after the test stage: ${(ratio * 100).toFixed(1)}% of a cold final build ` +
        `(target < ${TARGET * 100}%): ${ok ? "ok" : "MISSED"}; ` +
        `fixed cost ${fmt(m(cold, "final"))} (copying the app into the runtime stage, and the labels)`,
    );
    if (fresh.length > 0) {
      const share = m(freshCached, "test") / m(freshCold, "test");
      const cacheOk = share <= CACHE_TARGET;
      ok &&= cacheOk;
      console.log(
        `fresh builder with the registry cache, dependencies unchanged: test stage ${(share * 100).toFixed(1)}% ` +
          `of a cold one (target <= ${CACHE_TARGET * 100}%): ${cacheOk ? "ok" : "MISSED"}`,
      );
    }
    return ok ? 0 : 1;
  } finally {
    await exec("docker", ["image", "rm", "--force", ...made], { allowFailure: true });
    await pruneFreshBaseImages();
    rmSync(work, { recursive: true, force: true });
  }
}

/** --verbose: every build log line with the seconds since the start, to see where the time goes. */
function stampedLogger(): Logger {
  const t0 = performance.now();
  const stamp = (m: string) => console.error(`${((performance.now() - t0) / 1000).toFixed(3)} ${m}`);
  return { debug: stamp, info: stamp, warn: stamp, error: stamp, mask() {}, group: (_n, fn) => fn() };
}

function fmt(ms: number): string {
  return ms === 0 ? "—" : `${(ms / 1000).toFixed(2)} s`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
