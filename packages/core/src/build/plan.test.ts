import type { PowertrainConfig } from "../config/schema";
import type { Builder } from "../docker/builder";
import type { CiMetadata } from "../version/ci";
import { defaultImage, nativePlatform, planBuild } from "./plan";

const ci: CiMetadata = { ci: "local", buildNumber: 0, sha: "abc1234def" };
const created = new Date("2026-01-01T00:00:00Z");
const classic: Builder = { kind: "classic" };
const buildx: Builder = { kind: "buildx", driver: "docker" };
const remote: Builder = { kind: "buildx", name: "ci", driver: "remote" };
const config: PowertrainConfig = {
  name: "web",
  build: {
    context: "app",
    dockerfile: "app/Dockerfile",
    target: "final",
    "test-target": "test",
    args: { NODE_ENV: "production", WORKERS: 2 },
    "size-budget": "150MB",
  },
};

test("paths come from powertrain.yml, relative to its directory", () => {
  const plan = planBuild(
    { configFile: "svc/powertrain.yml", config, cwd: "/repo" },
    classic,
    ci,
    created,
    "/t/iid",
  );
  expect(plan).toMatchObject({
    image: "web:local",
    context: "svc/app",
    dockerfile: "svc/app/Dockerfile",
    sizeBudget: 150_000_000,
  });
  expect(plan.test?.command.args).toEqual([
    "build",
    "--force-rm",
    "--file",
    "svc/app/Dockerfile",
    "--tag",
    "web:local-test",
    "--target",
    "test",
    "--build-arg",
    "NODE_ENV=production",
    "--build-arg",
    "WORKERS=2",
    "svc/app",
  ]);
  expect(plan.test?.reportsDir).toBe("/reports");
  // Classic builder: the final build is unlabelled and untagged; one build from stdin adds labels and the tag.
  expect(plan.final.args).toEqual(expect.arrayContaining(["--target", "final", "--iidfile", "/t/iid.base"]));
  expect(plan.final.args).not.toContain("--label");
  expect(plan.final.args).not.toContain("--tag");
  expect(plan.labelStep).toEqual({
    command: {
      args: ["build", "--force-rm", "--tag", "web:local", "--iidfile", "/t/iid", "-"],
      env: { DOCKER_BUILDKIT: "0" },
      warnings: [],
    },
    baseIidFile: "/t/iid.base",
  });
  expect(JSON.parse(plan.labels["dev.powertrain.config"]!)).toEqual(config);
  // The test stage carries no labels, so its layers are exactly those the final build reuses.
  expect(plan.test?.command.args.some((a) => a === "--label")).toBe(false);
});

test.each<[string, object, string | undefined]>([
  ["--no-tests skips the test stage", { skipTests: true }, undefined],
  ["an empty test-target input skips it", { testTarget: "" }, undefined],
  ["an input overrides powertrain.yml", { testTarget: "unit" }, "unit"],
  ["powertrain.yml otherwise", {}, "test"],
])("%s", (_name, overrides, expected) => {
  const plan = planBuild(
    { configFile: "powertrain.yml", config, cwd: "/repo", ...overrides },
    classic,
    ci,
    created,
  );
  expect(plan.test?.target).toBe(expected);
});

test("inputs override paths (relative to cwd) and build args", () => {
  const plan = planBuild(
    {
      configFile: "powertrain.yml",
      config,
      cwd: "/repo",
      context: "other",
      dockerfile: "other/D",
      buildArgs: { WORKERS: "4" },
    },
    buildx,
    ci,
    created,
  );
  expect(plan.context).toBe("other");
  expect(plan.final.args).toEqual(expect.arrayContaining(["--file", "other/D", "--build-arg", "WORKERS=4"]));
  expect(plan.final.args).not.toContain("WORKERS=2");
});

test("BuildKit-only options warn once under the classic builder", () => {
  const plan = planBuild(
    { configFile: "p.yml", config, cwd: "/r", secrets: [{ id: "npm", env: "NPM_TOKEN" }] },
    classic,
    ci,
    created,
    undefined,
    { NPM_TOKEN: "x" },
  );
  expect(plan.warnings).toEqual([expect.stringMatching(/^--secret: build secrets needs BuildKit/)]);
});

test("build.cache: registry is one cache image for both builds, exported with mode=max", () => {
  const withCache: PowertrainConfig = {
    ...config,
    image: { registry: "reg.example:5000", repository: "team/web" },
    build: { ...config.build, cache: "registry" },
  };
  const plan = planBuild({ configFile: "p.yml", config: withCache, cwd: "/r" }, remote, ci, created);
  for (const args of [plan.test!.command.args, plan.final.args]) {
    expect(args).toEqual(
      expect.arrayContaining([
        "--cache-from",
        "type=registry,ref=reg.example:5000/team/web:buildcache",
        "--cache-to",
        "type=registry,ref=reg.example:5000/team/web:buildcache,mode=max",
      ]),
    );
    expect(args.slice(0, 5)).toEqual(["buildx", "build", "--builder", "ci", "--load"]);
  }
  expect(plan.warnings).toEqual([]);
});

test("build.cache on the classic builder: a warning that the cache needs BuildKit", () => {
  const withCache: PowertrainConfig = {
    ...config,
    build: { ...config.build, cache: { from: ["type=local,src=/c"], to: ["type=local,dest=/c"] } },
  };
  const plan = planBuild({ configFile: "p.yml", config: withCache, cwd: "/r" }, classic, ci, created);
  expect(plan.warnings).toEqual([
    expect.stringMatching(/^--cache-from: the layer cache needs BuildKit/),
    expect.stringMatching(/^--cache-to: cache export needs BuildKit/),
  ]);
  expect(plan.final.args.join(" ")).not.toMatch(/cache/);
});

test("secrets by value go into the client's environment, never onto the command line", () => {
  const withSecrets: PowertrainConfig = {
    ...config,
    build: { ...config.build, secrets: [{ id: "npmrc", file: ".npmrc" }], ssh: ["default"] },
  };
  const plan = planBuild(
    {
      configFile: "svc/p.yml",
      config: withSecrets,
      cwd: "/r",
      secrets: [{ id: "token", value: "s3cr3t-value" }],
    },
    remote,
    ci,
    created,
  );
  expect(plan.secretEnv).toEqual({ POWERTRAIN_SECRET_0: "s3cr3t-value" });
  for (const args of [plan.test!.command.args, plan.final.args]) {
    expect(args.join(" ")).not.toContain("s3cr3t-value");
    expect(args).toEqual(
      expect.arrayContaining([
        "--secret",
        "id=npmrc,src=/r/svc/.npmrc",
        "--secret",
        "id=token,env=POWERTRAIN_SECRET_0",
        "--ssh",
        "default",
      ]),
    );
  }
});

test("the registry cache without image.registry is a config error", () => {
  const bad: PowertrainConfig = { ...config, build: { cache: "registry" } };
  expect(() => planBuild({ configFile: "p.yml", config: bad, cwd: "/r" }, remote, ci, created)).toThrow(
    /build.cache: the "registry" cache needs image.registry/,
  );
});

test("a bad size budget is a config error naming the key", () => {
  const bad = { ...config, build: { "size-budget": "lots" } } as unknown as PowertrainConfig;
  expect(() => planBuild({ configFile: "p.yml", config: bad, cwd: "/r" }, classic, ci, created)).toThrow(
    /build.size-budget/,
  );
});

test.each<[PowertrainConfig, number, string]>([
  [{ name: "web" }, 0, "web:local"],
  [{ name: "web" }, 12, "web:build-12"],
  [{ name: "web", image: { repository: "team/web" } }, 3, "team/web:build-3"],
])("defaultImage %#", (cfg, buildNumber, expected) => {
  expect(defaultImage(cfg, { ...ci, buildNumber })).toBe(expected);
});

test.each<[string, object, boolean, boolean]>([
  ["with a test stage, only it ignores the cache", {}, true, false],
  ["without one, the final build does", { skipTests: true }, false, true],
])("noCache: %s", (_name, overrides, testNoCache, finalNoCache) => {
  const plan = planBuild(
    { configFile: "p.yml", config, cwd: "/r", noCache: true, ...overrides },
    classic,
    ci,
    created,
  );
  expect(plan.test?.command.args.includes("--no-cache") ?? false).toBe(testNoCache);
  expect(plan.final.args.includes("--no-cache")).toBe(finalNoCache);
});

test("BuildKit labels and tags the final build directly", () => {
  const plan = planBuild({ configFile: "p.yml", config, cwd: "/r" }, buildx, ci, created, "/t/iid");
  expect(plan.labelStep).toBeUndefined();
  expect(plan.final.args).toEqual(expect.arrayContaining(["--tag", "web:local", "--iidfile", "/t/iid"]));
  expect(plan.final.args.filter((a) => a.startsWith("dev.powertrain.config="))).toHaveLength(1);
});

describe("build.platforms", () => {
  const multi: PowertrainConfig = {
    ...config,
    image: { registry: "reg:5000", repository: "team/web" },
    build: { ...config.build, platforms: ["linux/amd64", "linux/arm64"] },
  };

  test("the test stage and the loaded image on the runner's platform, then the index pushed", () => {
    const plan = planBuild(
      { configFile: "p.yml", config: multi, cwd: "/r" },
      remote,
      { ...ci, buildNumber: 7 },
      created,
      "/t/iid",
    );
    const native = nativePlatform();
    expect(plan.test!.command.args).toEqual(expect.arrayContaining(["--load", "--platform", native]));
    expect(plan.final.args).toEqual(expect.arrayContaining(["--load", "--platform", native]));
    expect(plan.index).toMatchObject({
      ref: "reg:5000/team/web:build-7",
      platforms: ["linux/amd64", "linux/arm64"],
      metadataFile: "/t/iid.index.json",
    });
    const args = plan.index!.command.args;
    expect(args.slice(0, 5)).toEqual(["buildx", "build", "--builder", "ci", "--push"]);
    expect(args).toEqual(
      expect.arrayContaining([
        "--platform",
        "linux/amd64,linux/arm64",
        "--tag",
        "reg:5000/team/web:build-7",
        "--provenance=false",
        "--sbom=false",
        "--metadata-file",
        "/t/iid.index.json",
      ]),
    );
    expect(args).not.toContain("--load");
    expect(args).not.toContain("--iidfile");
    // The same labels as the loaded image.
    expect(args.filter((a) => a.startsWith("dev.powertrain.config="))).toHaveLength(1);
  });

  test("attestations switch provenance and SBOM on", () => {
    const attested = {
      ...multi,
      build: { ...multi.build, attestations: { provenance: "max" as const, sbom: true } },
    };
    const plan = planBuild({ configFile: "p.yml", config: attested, cwd: "/r" }, remote, ci, created);
    expect(plan.index!.command.args).toEqual(
      expect.arrayContaining(["--provenance=mode=max", "--sbom=true"]),
    );
  });

  test("a push target pushes the runner's own platform too (a native runner's part of an index)", () => {
    const one = { ...multi, build: { ...multi.build, platforms: [nativePlatform()] } };
    const plan = planBuild(
      { configFile: "p.yml", config: one, cwd: "/r", push: "reg:5000/x:amd64" },
      remote,
      ci,
      created,
    );
    expect(plan.index?.command.args).toEqual(
      expect.arrayContaining(["--platform", nativePlatform(), "--push"]),
    );
  });

  test("only the runner's own platform: no index", () => {
    const one = { ...multi, build: { ...multi.build, platforms: [nativePlatform()] } };
    expect(
      planBuild({ configFile: "p.yml", config: one, cwd: "/r" }, remote, ci, created).index,
    ).toBeUndefined();
  });

  test.each<[string, Builder]>([
    ["classic", classic],
    ["buildx docker driver", buildx],
  ])("on the %s builder: a usage error saying it needs a builder of its own", (_n, builder) => {
    expect(() => planBuild({ configFile: "p.yml", config: multi, cwd: "/r" }, builder, ci, created)).toThrow(
      /an index is built and pushed by a buildx builder of its own/,
    );
  });

  test("a request's platforms win over build.platforms and are checked", () => {
    const plan = planBuild(
      { configFile: "p.yml", config: multi, cwd: "/r", platforms: ["linux/arm64"], push: "reg:5000/x:y" },
      remote,
      ci,
      created,
    );
    expect(plan.index).toMatchObject({ ref: "reg:5000/x:y", platforms: ["linux/arm64"] });
    expect(() =>
      planBuild({ configFile: "p.yml", config: multi, cwd: "/r", platforms: ["arm64"] }, remote, ci, created),
    ).toThrow(/platform "arm64": expected os\/architecture/);
  });

  test("without image.registry: a config error", () => {
    const bare = { ...multi, image: undefined };
    expect(() => planBuild({ configFile: "p.yml", config: bare, cwd: "/r" }, remote, ci, created)).toThrow(
      /build.platforms: an index is pushed from the builder: set image.registry/,
    );
  });

  test.each([
    ["x64", "linux/amd64"],
    ["arm64", "linux/arm64"],
  ])("nativePlatform(%s) = %s", (arch, platform) => {
    expect(nativePlatform(arch)).toBe(platform);
  });
});
