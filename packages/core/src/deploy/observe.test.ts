import { parseObservation } from "./observe";

const container = (name: string, labels: Record<string, string>, state = "running", hostPort = "18001") => ({
  Id: `id-${name}`,
  Name: `/${name}`,
  Created: "2026-01-01T00:00:00Z",
  State: { Status: state, StartedAt: "2026-01-01T00:00:01Z", Health: { Status: "healthy" } },
  Config: { Labels: labels },
  HostConfig: { PortBindings: { "8080/tcp": [{ HostIp: "", HostPort: hostPort }] } },
  NetworkSettings: { Networks: { bridge: { IPAddress: "172.17.0.5" } } },
});
const ours = {
  "dev.powertrain.app": "web",
  "dev.powertrain.environment": "prod",
  "dev.powertrain.version": "v1",
  "dev.powertrain.digest": "sha256:1",
  "dev.powertrain.host": "h1",
  "dev.powertrain.deploy-id": "d1",
};
const image = (test?: string[]) => ({
  Id: "sha256:img",
  RepoTags: [],
  Config: { Healthcheck: test ? { Test: test } : null },
});

const text = (objects: unknown[], history = "") =>
  [
    "@@inspect",
    JSON.stringify(objects),
    "@@tcp",
    "   0: 0100007F:4650 00000000:0000 0A 0",
    "@@udp",
    "@@history",
    history,
  ].join("\n");

describe("parseObservation", () => {
  test("picks this app's containers by label; every container's bindings count as used", () => {
    const o = parseObservation(
      text([
        container("web-1", ours),
        container("web-other-env", { ...ours, "dev.powertrain.environment": "qa" }, "exited", "18002"),
        container("db", {}, "running", "5432"),
      ]),
      { app: "web", environment: "prod" },
    );
    expect(o.containers.map((c) => c.name)).toEqual(["web-1"]);
    expect(o.containers[0]).toMatchObject({
      version: "v1",
      health: "healthy",
      ip: "172.17.0.5",
      ports: [{ container: 8080, host: 18001, protocol: "tcp" }],
    });
    expect([...o.usedPorts.tcp].sort()).toEqual([18000, 18001, 18002, 5432].sort());
    expect(o.imagePresent).toBe(false);
  });

  test.each([
    ["a host scope narrows to containers deployed through that host", { host: "h2" }, []],
    ["the same host", { host: "h1" }, ["web-1"]],
  ])("%s", (_name, extra, expected) => {
    const o = parseObservation(text([container("web-1", ours)]), {
      app: "web",
      environment: "prod",
      ...extra,
    });
    expect(o.containers.map((c) => c.name)).toEqual(expected);
  });

  test.each<[string, unknown[], boolean, boolean]>([
    ["no image", [], false, false],
    ["image without HEALTHCHECK", [image()], true, false],
    ["image with HEALTHCHECK", [image(["CMD-SHELL", "true"])], true, true],
    ["HEALTHCHECK NONE", [image(["NONE"])], true, false],
  ])("%s", (_name, objects, present, healthcheck) => {
    const o = parseObservation(text(objects), { app: "web", environment: "prod" });
    expect([o.imagePresent, o.imageHasHealthcheck]).toEqual([present, healthcheck]);
  });

  test("history lines, tab-separated", () => {
    const o = parseObservation(
      text([], "d1\tv1\tsha256:1\treg/web@sha256:1\t2026-01-01T00:00:00Z\nbroken line\n"),
      {
        app: "web",
        environment: "prod",
      },
    );
    expect(o.history).toEqual([
      {
        deployId: "d1",
        version: "v1",
        digest: "sha256:1",
        image: "reg/web@sha256:1",
        time: "2026-01-01T00:00:00Z",
      },
    ]);
  });
});
