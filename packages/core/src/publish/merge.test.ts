import type { Descriptor } from "../registry/manifest";
import { configPlatform, entryPlatform, indexManifest } from "./merge";

const d = (
  digit: string,
  platform?: Descriptor["platform"],
  annotations?: Record<string, string>,
): Descriptor => ({
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: `sha256:${digit.repeat(64)}`,
  size: 100,
  platform,
  annotations,
});
const amd64 = d("a", { os: "linux", architecture: "amd64" });
const arm64 = d("b", { os: "linux", architecture: "arm64", variant: "v8" });
const attestation = d(
  "c",
  { os: "unknown", architecture: "unknown" },
  {
    "vnd.docker.reference.type": "attestation-manifest",
    "vnd.docker.reference.digest": amd64.digest,
  },
);

test.each([
  [amd64, "linux/amd64"],
  [arm64, "linux/arm64/v8"],
  [attestation, "attestation"],
  [d("d"), "unknown"],
])("entryPlatform %#", (entry, name) => {
  expect(entryPlatform(entry)).toBe(name);
});

test("an OCI index of every entry, attestations kept, duplicates once", () => {
  const index = JSON.parse(indexManifest([amd64, attestation, arm64, amd64]).toString());
  expect(index).toEqual({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [amd64, attestation, arm64],
  });
});

test("two images for one platform is a usage error naming both", () => {
  const other = d("e", { os: "linux", architecture: "amd64" });
  expect(() => indexManifest([amd64, other])).toThrow(/two images for linux\/amd64: sha256:a+ and sha256:e+/);
});

test.each([
  [
    { os: "linux", architecture: "amd64" },
    { os: "linux", architecture: "amd64" },
  ],
  [
    { os: "linux", architecture: "arm", variant: "v7" },
    { os: "linux", architecture: "arm", variant: "v7" },
  ],
  [
    { os: "linux", architecture: "arm64", variant: "v8" },
    { os: "linux", architecture: "arm64", variant: "v8" },
  ],
  [
    { os: "linux", architecture: "arm64", variant: "" },
    { os: "linux", architecture: "arm64" },
  ],
  [{ os: "linux" }, undefined],
  [{ architecture: "amd64" }, undefined],
])("configPlatform(%j)", (config, expected) => {
  expect(configPlatform(config)).toEqual(expected);
});

test("an arm/v7 entry from its config is named with its variant", () => {
  const platform = configPlatform({ os: "linux", architecture: "arm", variant: "v7" });
  expect(entryPlatform({ platform })).toBe("linux/arm/v7");
});
