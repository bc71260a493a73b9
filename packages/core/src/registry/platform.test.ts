import type { Descriptor, IndexManifest, Platform } from "./manifest";
import { hostPlatform, indexPlatforms, pickRunnable } from "./platform";

test.each([
  ["x86_64", { os: "linux", architecture: "amd64" }],
  ["aarch64", { os: "linux", architecture: "arm64" }],
  ["arm64", { os: "linux", architecture: "arm64" }],
  ["armv7l", { os: "linux", architecture: "arm", variant: "v7" }],
  ["armv6l", { os: "linux", architecture: "arm", variant: "v6" }],
  ["i686", { os: "linux", architecture: "386" }],
  [" X86_64\n", { os: "linux", architecture: "amd64" }],
  ["ppc64le", { os: "linux", architecture: "ppc64le" }],
  ["s390x", { os: "linux", architecture: "s390x" }],
  ["riscv64", { os: "linux", architecture: "riscv64" }],
  ["sparc64", { os: "linux", architecture: "sparc64" }],
])("hostPlatform(%j)", (arch, expected) => {
  expect(hostPlatform(arch)).toEqual(expected);
});

test("hostPlatform takes docker info's OSType", () => {
  expect(hostPlatform("x86_64", "windows")).toEqual({ os: "windows", architecture: "amd64" });
});

test("hostPlatform of an empty architecture is an error", () => {
  expect(() => hostPlatform(" ")).toThrow("docker info reported no architecture");
});

let n = 0;
const entry = (platform?: Platform, annotations?: Record<string, string>): Descriptor => ({
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: `sha256:${String(++n).padStart(64, "0")}`,
  size: 1,
  platform,
  annotations,
});
const amd64 = entry({ os: "linux", architecture: "amd64" });
const arm64 = entry({ os: "linux", architecture: "arm64", variant: "v8" });
const armv6 = entry({ os: "linux", architecture: "arm", variant: "v6" });
const armv7 = entry({ os: "linux", architecture: "arm", variant: "v7" });
const attestation = entry(
  { os: "unknown", architecture: "unknown" },
  { "vnd.docker.reference.type": "attestation-manifest" },
);
const index = (...manifests: Descriptor[]): IndexManifest => ({ kind: "index", schemaVersion: 2, manifests });

test.each([
  ["amd64 host, amd64 entry", index(attestation, amd64, arm64), "x86_64", amd64],
  ["arm64 host, arm64/v8 entry", index(amd64, arm64), "aarch64", arm64],
  ["arm64 host, amd64 only", index(amd64, attestation), "aarch64", undefined],
  ["arm/v7 host, exact variant first", index(armv6, armv7), "armv7l", armv7],
  ["arm/v7 host runs arm/v6", index(amd64, armv6), "armv7l", armv6],
  ["arm/v6 host does not run arm/v7", index(armv7), "armv6l", undefined],
  ["an attestation never matches", index(attestation), "x86_64", undefined],
])("pickRunnable: %s", (_, idx, arch, expected) => {
  expect(pickRunnable(idx, hostPlatform(arch))).toBe(expected);
});

test.each([
  [index(amd64, attestation, arm64), ["linux/amd64", "linux/arm64/v8"]],
  [index(attestation), []],
  [index(armv7, armv7, entry()), ["linux/arm/v7"]],
])("indexPlatforms %#", (idx, expected) => {
  expect(indexPlatforms(idx)).toEqual(expected);
});
