import type { CiMetadata } from "@powertrain/core";
import { humanSize } from "@powertrain/core";
import { publishMetadata, publishOutputs, summaryRows } from "./outputs";

const D = `sha256:${"b".repeat(64)}`;
const result = {
  version: "412-3f2a9c1",
  tags: ["412-3f2a9c1", "latest"],
  digest: D,
  image: `127.0.0.1:5000/app@${D}`,
  size: 3 * 1024 * 1024,
  registry: "127.0.0.1:5000",
  repository: "app",
};
const meta: CiMetadata = {
  ci: "github",
  buildNumber: 412,
  sha: "3f2a9c1d",
  branch: "main",
  runUrl: "https://x/runs/1",
};

test("outputs: newline tag list, pinned image, metadata JSON with CI facts", () => {
  const outputs = publishOutputs(publishMetadata(result, meta));
  expect(outputs.tags).toBe("412-3f2a9c1\nlatest");
  expect(outputs.image).toBe(`127.0.0.1:5000/app@${D}`);
  expect(JSON.parse(outputs.metadata!)).toMatchObject({
    digest: D,
    commit: "3f2a9c1d",
    buildNumber: 412,
    branch: "main",
  });
});

test("summary rows name tags, digest and size", () => {
  const rows = summaryRows(publishMetadata(result, meta));
  expect(rows).toContainEqual(["Tags", "412-3f2a9c1, latest"]);
  expect(rows).toContainEqual(["Digest", D]);
  expect(rows).toContainEqual(["Size", "3.0 MiB"]);
});

test.each([
  [0, "0 B"],
  [1023, "1023 B"],
  [1536, "1.5 KiB"],
  [100 * 1024 * 1024, "100.0 MiB"],
])("humanSize(%d) = %s", (bytes, text) => {
  expect(humanSize(bytes)).toBe(text);
});
