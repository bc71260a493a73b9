import {
  type IndexManifest,
  imageSize,
  MediaType,
  parseImageConfig,
  parseManifest,
  parsePlatform,
  pickPlatform,
} from "./manifest";

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const index: IndexManifest = {
  kind: "index",
  schemaVersion: 2,
  manifests: [
    {
      mediaType: MediaType.ociManifest,
      digest: d(1),
      size: 1,
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
    },
    {
      mediaType: MediaType.ociManifest,
      digest: d(2),
      size: 1,
      platform: { os: "linux", architecture: "amd64" },
    },
    {
      mediaType: MediaType.ociManifest,
      digest: d(3),
      size: 1,
      platform: { os: "unknown", architecture: "unknown" },
    },
    {
      mediaType: MediaType.ociManifest,
      digest: d(4),
      size: 1,
      platform: { os: "linux", architecture: "arm", variant: "v7" },
    },
    {
      mediaType: MediaType.ociManifest,
      digest: d(5),
      size: 1,
      platform: { os: "linux", architecture: "arm", variant: "v6" },
    },
  ],
};

test.each([
  ["linux/amd64", d(2)],
  ["linux/arm64", d(1)],
  ["linux/arm64/v8", d(1)],
  ["linux/arm/v6", d(5)],
  ["linux/arm", d(4)],
  ["windows/amd64", undefined],
])("pickPlatform(%s)", (platform, digest) => {
  expect(pickPlatform(index, parsePlatform(platform))?.digest).toBe(digest);
});

test("pickPlatform defaults to linux/amd64", () => {
  expect(pickPlatform(index)?.digest).toBe(d(2));
});

test.each([
  [
    {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifest,
      config: { digest: d(1), size: 10 },
      layers: [{ digest: d(2), size: 5 }],
    },
    undefined,
    "image",
  ],
  [{ schemaVersion: 2, config: { digest: d(1), size: 10 }, layers: [] }, MediaType.ociManifest, "image"],
  [{ schemaVersion: 2, manifests: [] }, undefined, "index"],
  [{ schemaVersion: 2, mediaType: MediaType.dockerManifestList, manifests: [] }, undefined, "index"],
])("parseManifest classifies %j", (json, contentType, kind) => {
  expect(parseManifest(Buffer.from(JSON.stringify(json)), contentType).kind).toBe(kind);
});

test("parseManifest rejects schema 1", () => {
  expect(() => parseManifest(Buffer.from('{"schemaVersion":1,"fsLayers":[]}'), "application/json")).toThrow(
    /unsupported manifest/,
  );
});

test("imageSize adds config and layers", () => {
  const m = parseManifest(
    Buffer.from(
      JSON.stringify({ schemaVersion: 2, config: { size: 10 }, layers: [{ size: 5 }, { size: 7 }] }),
    ),
    undefined,
  );
  expect(m.kind === "image" && imageSize(m)).toBe(22);
});

test.each([
  [
    '{"created":"2026-01-01T00:00:00Z","config":{"Labels":{"a":"b"}}}',
    { created: "2026-01-01T00:00:00Z", labels: { a: "b" } },
  ],
  ['{"config":{"Labels":null}}', { labels: {} }],
  ["{}", { labels: {} }],
  ['{"os":"linux","architecture":"arm","variant":"v7"}', { os: "linux", architecture: "arm", variant: "v7" }],
  ['{"os":"linux","architecture":"arm64","variant":"v8"}', { architecture: "arm64", variant: "v8" }],
])("parseImageConfig(%s)", (json, expected) => {
  expect(parseImageConfig(Buffer.from(json))).toMatchObject(expected);
});

test.each([
  ['{"os":"linux","architecture":"amd64"}'],
  ['{"os":"linux","architecture":"amd64","variant":""}'],
  ['{"os":"linux","architecture":"amd64","variant":7}'],
])("parseImageConfig(%s) has no variant", (json) => {
  expect(parseImageConfig(Buffer.from(json))).not.toHaveProperty("variant");
});
