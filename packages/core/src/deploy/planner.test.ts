import { type DesiredState, describePlan, healthMode, planHost } from "./planner";
import type { DeployRunConfig, ObservedContainer, ObservedHost } from "./types";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;
const D3 = `sha256:${"3".repeat(64)}`;
const D4 = `sha256:${"4".repeat(64)}`;

const run: DeployRunConfig = {
  instances: 2,
  ports: [{ container: 8080, host: { from: 18000, to: 18009 }, protocol: "tcp" }],
  env: {},
  volumes: [],
  labels: {},
  stopTimeoutMs: 10_000,
  init: true,
  restart: "no",
};

const desired = (extra: Partial<DesiredState> = {}): DesiredState => ({
  app: "web",
  environment: "prod",
  version: "v4",
  digest: D4,
  image: `reg/web@${D4}`,
  deployId: "dep",
  run,
  keep: 1,
  host: "h1",
  ...extra,
});

let seq = 0;
const c = (
  digest: string,
  state: string,
  port: number,
  extra: Partial<ObservedContainer> = {},
): ObservedContainer => ({
  id: `id${++seq}`,
  name: `web-${digest.slice(7, 10)}-${seq}`,
  state,
  version: `v${digest.slice(7, 8)}`,
  digest,
  image: `reg/web@${digest}`,
  deployId: "old",
  created: `2026-01-0${digest.slice(7, 8)}T00:00:0${seq % 10}Z`,
  ports: [{ container: 8080, host: port, protocol: "tcp" }],
  ...extra,
});

const host = (containers: ObservedContainer[], extra: Partial<ObservedHost> = {}): ObservedHost => ({
  containers,
  usedPorts: { tcp: new Set(containers.flatMap((x) => x.ports.map((p) => p.host))), udp: new Set() },
  imagePresent: false,
  imageHasHealthcheck: false,
  history: [],
  ...extra,
});

const names = (list: ObservedContainer[]) => list.map((x) => x.version).sort();

describe("planHost", () => {
  test("first deploy: pull, start N on the lowest free ports, nothing to stop", () => {
    const plan = planHost(desired(), host([]));
    expect(plan).toMatchObject({ upToDate: false, pull: true, stop: [], removeFirst: [], removeAfter: [] });
    expect(plan.start.map((s) => s.hostPorts)).toEqual([[18000], [18001]]);
    expect(plan.start[0]!.name).toMatch(/^web-prod-444444444444-1-[0-9a-f]{6}$/);
    expect(plan.start[1]!.labels["dev.powertrain.discovery"]).toBe("h1:18001:web:v4");
  });

  test.each<
    [
      string,
      ObservedContainer[],
      number,
      { removeFirst: string[]; stop: string[]; removeAfter: string[]; previous?: string },
    ]
  >([
    [
      "rolling: old serving is stopped and kept",
      [c(D3, "running", 18000), c(D3, "running", 18001)],
      1,
      { removeFirst: [], stop: ["v3", "v3"], removeAfter: [], previous: "v3" },
    ],
    [
      "keep 0: old serving is stopped then removed",
      [c(D3, "running", 18000)],
      0,
      { removeFirst: [], stop: ["v3"], removeAfter: ["v3"], previous: "v3" },
    ],
    [
      "beyond keep: older kept versions go first, the one displaced by this deploy only after it",
      [c(D3, "running", 18000), c(D2, "exited", 18002), c(D1, "exited", 18003)],
      1,
      { removeFirst: ["v1"], stop: ["v3"], removeAfter: ["v2"], previous: "v3" },
    ],
    [
      "keep 2: serving and the newest kept version stay",
      [c(D3, "running", 18000), c(D2, "exited", 18002), c(D1, "exited", 18003)],
      2,
      { removeFirst: [], stop: ["v3"], removeAfter: ["v1"], previous: "v3" },
    ],
    [
      "failed leftovers of the version being deployed are removed",
      [c(D3, "running", 18000), c(D4, "exited", 18001), c(D4, "created", 18002)],
      1,
      { removeFirst: ["v4", "v4"], stop: ["v3"], removeAfter: [], previous: "v3" },
    ],
    [
      "a killed deploy's running instances are replaced too",
      [c(D3, "running", 18000), c(D4, "running", 18001)],
      1,
      { removeFirst: [], stop: ["v3", "v4"], removeAfter: ["v4"], previous: "v3" },
    ],
  ])("%s", (_name, containers, keep, expected) => {
    const plan = planHost(desired({ keep }), host(containers));
    expect(names(plan.removeFirst)).toEqual(expected.removeFirst);
    expect(names(plan.stop)).toEqual(expected.stop);
    expect(names(plan.removeAfter)).toEqual(expected.removeAfter);
    expect(plan.previousVersion).toBe(expected.previous);
  });

  test("a killed deploy's unhealthy leftovers are replaced and never kept", () => {
    const history = [{ deployId: "old", version: "v3", digest: D3, image: "i", time: "t" }];
    const leftover = c(D2, "running", 18001, { deployId: "killed" });
    const plan = planHost(desired({ keep: 1 }), host([c(D3, "running", 18000), leftover], { history }));
    expect(names(plan.stop)).toEqual(["v2", "v3"]);
    expect(names(plan.removeAfter)).toEqual(["v2"]);
    expect(plan.previousVersion).toBe("v3");
  });

  test("new ports avoid every used port, kept ones included", () => {
    const plan = planHost(desired({ keep: 2 }), host([c(D3, "running", 18000), c(D2, "exited", 18001)]));
    expect(plan.start.map((s) => s.hostPorts[0])).toEqual([18002, 18003]);
  });

  test("already running this digest, all healthy: up to date", () => {
    const plan = planHost(
      desired(),
      host([c(D4, "running", 18000), c(D4, "running", 18001, { health: "healthy" })]),
    );
    expect(plan.upToDate).toBe(true);
    expect(describePlan(plan)).toEqual(["h1: already runs this version, nothing to do"]);
  });

  test("ports of containers removed first are reused", () => {
    const plan = planHost(
      desired({ keep: 1 }),
      host([c(D3, "running", 18000), c(D2, "exited", 18001), c(D1, "exited", 18002)]),
    );
    expect(names(plan.removeFirst)).toEqual(["v1"]);
    expect(plan.start.map((s) => s.hostPorts[0])).toEqual([18002, 18003]);
  });

  test("image present: no pull", () => {
    expect(planHost(desired(), host([], { imagePresent: true })).pull).toBe(false);
  });

  test("range too small for kept versions too: kept ones are given up, with a warning", () => {
    const small = {
      ...run,
      ports: [{ container: 8080, host: { from: 18000, to: 18003 }, protocol: "tcp" as const }],
    };
    const plan = planHost(
      desired({ run: small, keep: 2 }),
      host([
        c(D3, "running", 18000),
        c(D3, "running", 18001),
        c(D2, "exited", 18002),
        c(D2, "exited", 18003),
      ]),
    );
    expect(plan.start.map((s) => s.hostPorts[0])).toEqual([18002, 18003]);
    expect(names(plan.removeFirst)).toEqual(["v2", "v2"]);
    expect(plan.warnings[0]).toMatch(/not enough free ports/);
  });

  test("range too small even so: PortRangeError naming the range", () => {
    const small = {
      ...run,
      ports: [{ container: 8080, host: { from: 18000, to: 18002 }, protocol: "tcp" as const }],
    };
    expect(() =>
      planHost(desired({ run: small }), host([c(D3, "running", 18000), c(D3, "running", 18001)])),
    ).toThrow(/port range 18000-18002 on h1 is exhausted/);
  });
});

describe("healthMode", () => {
  test.each<[DeployRunConfig["health"], boolean, string]>([
    [{ http: "/healthz" }, true, "http"],
    [{ tcp: true }, false, "tcp"],
    [{ command: ["true"] }, false, "command"],
    [undefined, true, "image"],
    [undefined, false, "running"],
  ])("%j, image HEALTHCHECK %s → %s", (health, imageHas, expected) => {
    expect(healthMode({ ...run, health }, imageHas)).toBe(expected);
  });
});
