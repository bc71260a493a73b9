import {
  buildCommand,
  countCachedSteps,
  dockerfileString,
  type ImageBuildOptions,
  labelDockerfile,
} from "./build-args";
import type { Builder } from "./builder";

const classic: Builder = { kind: "classic" };
const buildkit: Builder = { kind: "buildkit" };
const buildx: Builder = { kind: "buildx", driver: "docker" };
const remote: Builder = { kind: "buildx", name: "ci", driver: "remote" };

const ctx = { context: "." };

describe("buildCommand", () => {
  test.each<[string, ImageBuildOptions, Builder, string[]]>([
    ["context only, classic", ctx, classic, ["build", "--force-rm", "."]],
    ["buildx loads the image", ctx, buildx, ["buildx", "build", "--load", "--progress=plain", "."]],
    ["built-in BuildKit", ctx, buildkit, ["build", "--progress=plain", "."]],
    [
      "tags, target, dockerfile",
      { context: "app", dockerfile: "app/Dockerfile.prod", tags: ["a:1", "a:latest"], target: "final" },
      classic,
      [
        "build",
        "--force-rm",
        "--file",
        "app/Dockerfile.prod",
        "--tag",
        "a:1",
        "--tag",
        "a:latest",
        "--target",
        "final",
        "app",
      ],
    ],
    [
      "build args keep their order and may hold = and spaces",
      { ...ctx, buildArgs: { B: "x=y", A: "two words" } },
      classic,
      ["build", "--force-rm", "--build-arg", "B=x=y", "--build-arg", "A=two words", "."],
    ],
    [
      "labels sorted by name",
      { ...ctx, labels: { "z.last": "1", "a.first": '{"json":true}' } },
      classic,
      ["build", "--force-rm", "--label", 'a.first={"json":true}', "--label", "z.last=1", "."],
    ],
    [
      "cache and secrets with BuildKit",
      {
        ...ctx,
        cacheFrom: ["type=local,src=/c"],
        cacheTo: ["type=inline"],
        secrets: ["id=npm,env=NPM_TOKEN"],
      },
      buildx,
      [
        "buildx",
        "build",
        "--load",
        "--progress=plain",
        "--cache-from",
        "type=local,src=/c",
        "--cache-to",
        "type=inline",
        "--secret",
        "id=npm,env=NPM_TOKEN",
        ".",
      ],
    ],
    [
      "cache and secrets dropped by classic",
      { ...ctx, cacheFrom: ["x"], secrets: ["id=a"] },
      classic,
      ["build", "--force-rm", "."],
    ],
    [
      "no-cache and iidfile",
      { ...ctx, noCache: true, iidFile: "/tmp/iid" },
      classic,
      ["build", "--force-rm", "--no-cache", "--iidfile", "/tmp/iid", "."],
    ],
  ])("%s", (_name, options, builder, expected) => {
    expect(buildCommand(options, builder).args).toEqual(expected);
  });

  test.each<[Builder, string]>([
    [classic, "0"],
    [buildkit, "1"],
    [buildx, "1"],
  ])("%o sets DOCKER_BUILDKIT=%s", (builder, flag) => {
    expect(buildCommand(ctx, builder).env).toEqual({ DOCKER_BUILDKIT: flag });
  });

  test.each<[ImageBuildOptions, Builder, string[]]>([
    [
      { ...ctx, cacheFrom: ["a"], cacheTo: ["b"], secrets: ["id=s"] },
      classic,
      ["--cache-from:", "--cache-to:", "--secret:"],
    ],
    [{ ...ctx, secrets: ["id=s"] }, classic, ["--secret:"]],
    [{ ...ctx, ssh: ["default"] }, classic, ["--ssh:"]],
    [{ ...ctx, cacheFrom: ["a"], secrets: ["id=s"] }, buildx, []],
    [{ ...ctx, cacheFrom: [] }, classic, []],
  ])("warns about BuildKit-only options %#", (options, builder, flags) => {
    const { warnings } = buildCommand(options, builder);
    expect(warnings.map((w) => w.split(" ")[0])).toEqual(flags);
    for (const w of warnings) expect(w).toMatch(/needs BuildKit/);
  });

  test("a named builder of its own: --builder, --load, cache export, secrets and ssh by name only", () => {
    const { args, warnings } = buildCommand(
      {
        ...ctx,
        cacheFrom: ["type=registry,ref=r/a:buildcache"],
        cacheTo: ["type=registry,ref=r/a:buildcache,mode=max"],
        secrets: ["id=npm,env=NPM_TOKEN"],
        ssh: ["default"],
      },
      remote,
    );
    expect(args).toEqual([
      "buildx",
      "build",
      "--builder",
      "ci",
      "--load",
      "--progress=plain",
      "--cache-from",
      "type=registry,ref=r/a:buildcache",
      "--cache-to",
      "type=registry,ref=r/a:buildcache,mode=max",
      "--secret",
      "id=npm,env=NPM_TOKEN",
      "--ssh",
      "default",
      ".",
    ]);
    expect(warnings).toEqual([]);
  });

  test.each([
    ["type=registry,ref=r/a:c,mode=max", ["--cache-to type=registry: the docker driver"]],
    ["type=local,dest=/tmp/c", ["--cache-to type=local: the docker driver"]],
    ["type=inline", []],
  ])("the docker driver drops cache export %s except inline", (to, expected) => {
    const { args, warnings } = buildCommand({ ...ctx, cacheTo: [to] }, buildx);
    expect(warnings.map((w) => w.split(" exports")[0]!.replace(/ of buildx$/, ""))).toEqual(expected);
    expect(args.includes(to)).toBe(expected.length === 0);
  });
});

test.each([
  ["Step 2/5 : RUN x\n ---> Using cache\n ---> abc\nStep 3/5 : COPY . .\n ---> Using cache\n", 2],
  ["#5 [deps 2/3] RUN npm ci\n#5 CACHED\n\n#6 [build 1/2] COPY . .\n#6 CACHED\n", 2],
  ["Step 2/5 : RUN x\n ---> Running in abc\n", 0],
])("countCachedSteps %#", (log, n) => {
  expect(countCachedSteps(log)).toBe(n);
});

describe("labelDockerfile", () => {
  test("one LABEL step with every label, quoted", () => {
    expect(labelDockerfile("sha256:abc", { b: 'say "hi" for $5 \\o/', a: '{"k":[1]}' })).toBe(
      'FROM sha256:abc\nLABEL "a"="{\\"k\\":[1]}" \\\n      "b"="say \\"hi\\" for \\$5 \\\\o/"\n',
    );
  });
  test("no labels: just FROM", () => {
    expect(labelDockerfile("img", {})).toBe("FROM img\n");
  });
  test.each([
    ["plain", '"plain"'],
    ["a\nb", '"a b"'],
    ["${X}", '"\\${X}"'],
  ])("dockerfileString(%j) = %s", (value, quoted) => {
    expect(dockerfileString(value)).toBe(quoted);
  });
});
