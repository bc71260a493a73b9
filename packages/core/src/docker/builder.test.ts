import {
  type Builder,
  canExportCache,
  chooseBuilder,
  describeBuilder,
  hasOwnStore,
  isBuildKit,
  parseBuildxInspect,
} from "./builder";

test.each([
  [undefined, false, "classic"],
  [undefined, true, "buildx"],
  ["1", false, "buildkit"],
  ["true", false, "buildkit"],
  ["1", true, "buildx"],
  ["0", true, "classic"],
  ["false", true, "classic"],
  ["0", false, "classic"],
  ["", true, "buildx"],
] as const)("DOCKER_BUILDKIT=%j, buildx=%j → %s", (flag, buildx, expected) => {
  expect(chooseBuilder(flag, buildx)).toBe(expected);
});

test.each<[Builder, boolean, boolean, string]>([
  [{ kind: "classic" }, false, false, "classic"],
  [{ kind: "buildkit" }, true, false, "buildkit"],
  [{ kind: "buildx", name: "default", driver: "docker" }, true, false, "buildx docker (default)"],
  [{ kind: "buildx", name: "ci", driver: "remote" }, true, true, "buildx remote (ci)"],
  [{ kind: "buildx", name: "b", driver: "docker-container" }, true, true, "buildx docker-container (b)"],
])("%o: BuildKit %j, own store and cache export %j, %s", (builder, buildkit, own, text) => {
  expect(isBuildKit(builder)).toBe(buildkit);
  expect(hasOwnStore(builder)).toBe(own);
  expect(canExportCache(builder)).toBe(own);
  expect(describeBuilder(builder)).toBe(text);
});

test("parseBuildxInspect reads a remote builder as buildx v0.38 prints it", () => {
  const text = `Name:          powertrain-buildkit
Driver:        remote
Last Activity: 2026-12-01 08:50:01 +0000 UTC

Nodes:
Name:                  powertrain-buildkit0
Endpoint:              unix:///work/main/.tmp/services/buildkitd.sock
Status:                running
BuildKit daemon flags: --oci-worker=true
BuildKit version:      v0.34.2
Platforms:             linux/amd64, linux/amd64/v2, linux/arm64*, linux/386
Labels:
 org.mobyproject.buildkit.worker.executor:    oci
`;
  expect(parseBuildxInspect(text)).toEqual({
    name: "powertrain-buildkit",
    driver: "remote",
    status: "running",
    buildkitVersion: "v0.34.2",
    platforms: ["linux/amd64", "linux/amd64/v2", "linux/arm64", "linux/386"],
  });
});

test("parseBuildxInspect of the default docker builder", () => {
  const text =
    "Name:   default\nDriver: docker\n\nNodes:\nName:      default\nEndpoint:  default\nStatus:    running\nBuildkit:  20.10.24\nPlatforms: linux/amd64, linux/386\n";
  expect(parseBuildxInspect(text)).toMatchObject({
    name: "default",
    driver: "docker",
    buildkitVersion: "20.10.24",
  });
});
