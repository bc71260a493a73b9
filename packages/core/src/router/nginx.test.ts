import { parseUpstreamFile, renderUpstreamFile } from "./nginx";
import type { UpstreamServer } from "./types";

const v1 = (port: number, weight = 1): UpstreamServer => ({
  address: "127.0.0.1",
  port,
  weight,
  version: "v1",
});

describe("renderUpstreamFile", () => {
  test.each([
    [
      [v1(18001), v1(18002)],
      ["server 127.0.0.1:18001 weight=1; # v1", "server 127.0.0.1:18002 weight=1; # v1"],
    ],
    [
      [{ address: "::1", port: 18003, weight: 2, version: "v2", container: "app-c1" }],
      ["server [::1]:18003 weight=2; # v2 app-c1"],
    ],
    [[], ["server 127.0.0.1:9 down; # no instances"]],
  ])("%j → server lines", (servers, expected) => {
    const text = renderUpstreamFile("app-prod", servers, "app in prod");
    const lines = text.split("\n").map((l) => l.trim());
    expect(lines).toContain("upstream app-prod {");
    expect(lines.filter((l) => l.startsWith("server "))).toEqual(expected);
    expect(text.endsWith("}\n")).toBe(true);
  });
});

describe("parseUpstreamFile", () => {
  test.each([
    ["its own output", renderUpstreamFile("a-b", [v1(1), v1(2, 9)], "a in b"), [v1(1), v1(2, 9)]],
    ["an empty set", renderUpstreamFile("a-b", [], "a in b"), []],
    ["a hand-written file", "upstream x { server 127.0.0.1:1; }\n", undefined],
    ["a broken state line", "# powertrain-state: [{\n", undefined],
  ])("%s", (_, text, expected) => {
    expect(parseUpstreamFile(text)).toEqual(expected);
  });
});
