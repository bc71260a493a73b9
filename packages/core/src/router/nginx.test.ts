import { createHash } from "node:crypto";
import { parseMetricRows, parseUpstreamFile, renderUpstreamFile } from "./nginx";
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

describe("the access log while a canary runs", () => {
  const canary = { address: "127.0.0.1", port: 18003, weight: 2, version: "v2" };
  const log = "/etc/nginx/conf.d/powertrain/app-prod.access.log";
  test.each([
    ["one version: no log", [v1(18001), v1(18002)], false],
    ["two versions: logged", [v1(18001), canary], true],
  ])("%s", (_, servers, logged) => {
    const text = renderUpstreamFile("app-prod", servers, "app in prod", log);
    const id = createHash("sha256").update("app-prod").digest("hex").slice(0, 10);
    expect(text.includes(`access_log ${log} powertrain_${id} if=$pt_log_${id};`)).toBe(logged);
    if (logged) expect(text).toContain(`map $proxy_host $pt_log_${id} { "app-prod" 1; default 0; }`);
  });

  test("a log path nginx would read as more than a path is refused", () => {
    expect(() =>
      renderUpstreamFile("a", [v1(1), { ...v1(2), version: "v2" }], "a", "/x; include /y"),
    ).toThrow(/may hold only letters/);
  });
});

describe("parseMetricRows", () => {
  test.each([
    [
      "127.0.0.1:18001 1700000000 48 12 1\n",
      [{ address: "127.0.0.1:18001", slot: 1700000000, bucket: 48, requests: 12, errors: 1 }],
    ],
    ["[::1]:18003 0 0 3 0", [{ address: "[::1]:18003", slot: 0, bucket: 0, requests: 3, errors: 0 }]],
    ["garbage\n1 2 3\n", []],
    ["", []],
  ])("%j", (text, rows) => {
    expect(parseMetricRows(text)).toEqual(rows);
  });
});
