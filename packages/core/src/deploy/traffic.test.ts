import { parseConfig } from "../config/load";
import { resolveEnvironment } from "../config/resolve";
import type { RemoteHost } from "../ssh/session";
import { parseStrategy, routedContainers, sameUpstream, serversOf, trafficFor } from "./traffic";
import type { ObservedContainer } from "./types";

const container = (name: string, port?: number, version = "v1"): ObservedContainer => ({
  id: name,
  name,
  state: "running",
  version,
  digest: `sha256:${version}`,
  image: "",
  deployId: "",
  created: "",
  ports: port === undefined ? [] : [{ container: 8080, host: port, protocol: "tcp" }],
});

const host = { name: "h", target: { host: "h" }, run: jest.fn() } as unknown as RemoteHost;
const settings = {
  strategy: "rolling" as const,
  maxParallel: 1,
  keep: 1,
  healthTimeoutMs: 1,
  lockTimeoutMs: 1,
};

describe("parseStrategy", () => {
  test.each(["rolling", "blue-green", "canary"])("%s", (s) => expect(parseStrategy(s)).toBe(s));
  test.each(["green", "", "Rolling"])("%j is a usage error", (s) => {
    expect(() => parseStrategy(s)).toThrow(/unknown strategy .*expected one of rolling, blue-green, canary/);
  });
});

describe("trafficFor", () => {
  test.each([
    ["rolling", undefined],
    ["blue-green", /strategy blue-green needs a load balancer to switch: configure deploy.router/],
    ["canary", /strategy canary needs a load balancer/],
  ] as const)("%s without a router", (strategy, error) => {
    const run = () => trafficFor(host, settings, { app: "a", environment: "e" }, strategy);
    if (error) expect(run).toThrow(error);
    else expect(run()).toBeUndefined();
  });

  test("defaults, and settings from powertrain.yml", () => {
    const config = parseConfig(
      [
        "name: shop",
        "deploy:",
        "  router: { type: nginx, conf-dir: /srv/nginx, address: 10.0.0.5 }",
        "  drain: 5s",
        "  canary: { instances: 2, share: 25% }",
        "  blue-green: { keep-idle: 1m }",
      ].join("\n"),
      "powertrain.yml",
    );
    const resolved = resolveEnvironment(config);
    const t = trafficFor(host, resolved.deploy, { app: "shop", environment: "prod" }, "canary")!;
    expect(t).toMatchObject({
      address: "10.0.0.5",
      drainMs: 5000,
      canaryInstances: 2,
      canarySharePercent: 25,
    });
    expect(t.keepIdleMs).toBe(60_000);
    expect(t.router.description).toContain("/srv/nginx/powertrain/shop-prod.conf");
    const plain = trafficFor(
      host,
      { ...settings, router: { type: "nginx" } },
      { app: "a", environment: "e" },
      "rolling",
    )!;
    expect(plain).toMatchObject({
      address: "127.0.0.1",
      drainMs: 2000,
      canaryInstances: 1,
      canarySharePercent: 10,
    });
  });

  test.each([
    ["  router: { type: command }", /type command needs a command/],
    ["  canary: { share: 150% }", /share between 1% and 99%/],
    ["  router: { type: nginx, conf-dir: relative }", /absolute path/],
  ])("%s is rejected", (line, error) => {
    expect(() => parseConfig(`name: a\ndeploy:\n${line}\n`, "powertrain.yml")).toThrow(error);
  });
});

describe("routing helpers", () => {
  const a = container("a", 18001);
  const b = container("b", 18002, "v2");
  const unpublished = container("c");

  test.each([
    [[{ port: 18001 }], ["a"]],
    [
      [{ port: 18001 }, { port: 18002 }],
      ["a", "b"],
    ],
    [[], []],
    [undefined, []],
  ])("routedContainers(%j)", (upstream, names) => {
    const servers = upstream?.map((s) => ({ address: "127.0.0.1", weight: 1, version: "", ...s }));
    expect(routedContainers([a, b, unpublished], servers).map((c) => c.name)).toEqual(names);
  });

  test("serversOf skips containers without a published port", () => {
    expect(serversOf([a, unpublished, b], "127.0.0.1")).toEqual([
      { address: "127.0.0.1", port: 18001, weight: 1, version: "v1", container: "a" },
      { address: "127.0.0.1", port: 18002, weight: 1, version: "v2", container: "b" },
    ]);
  });

  const s = (port: number, weight = 1) => ({ address: "127.0.0.1", port, weight, version: "v" });
  test.each([
    [[s(1), s(2)], [s(2), s(1)], true],
    [[s(1)], [s(1, 2)], false],
    [[s(1)], [s(1), s(2)], false],
    [undefined, [], false],
  ])("sameUpstream(%j, %j) = %s", (x, y, same) => {
    expect(sameUpstream(x, y)).toBe(same);
  });
});
