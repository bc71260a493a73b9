/**
 * The fleet view: rows made of status answers (pure, table-tested) and the whole pass against fake
 * hosts — two environments, a drifted host, an unreachable one.
 */
import { sshEngine } from "../deploy/engine";
import { LABEL } from "../deploy/labels";
import type { ContainerStatus } from "../deploy/operations";
import type { DeployEnvironment } from "../deploy/types";
import { silentLogger } from "../log";
import { FakeFleet } from "../testing/fake-host";
import { type FleetRow, fleetStatus, formatFleet, markDrift, summarizeHost } from "./fleet";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const image = (version: string, c: string) => `reg.example.com/shop:${version}@${digest(c)}`;

function environment(name: string, hosts: string[], instances = 2): DeployEnvironment {
  return {
    name,
    app: "shop",
    hosts: hosts.map((host) => ({ host, user: "deploy" })),
    run: {
      instances,
      ports: [{ container: 8080, host: { from: 18000, to: 18099 }, protocol: "tcp" }],
      env: {},
      volumes: [],
      labels: {},
      stopTimeoutMs: 1000,
      init: true,
      restart: "no",
    },
    deploy: { strategy: "rolling", maxParallel: 1, keep: 2, healthTimeoutMs: 1000, lockTimeoutMs: 0 },
  };
}

const c = (version: string, o: Partial<ContainerStatus> = {}): ContainerStatus => ({
  host: "h",
  container: `shop-${version}`,
  state: "running",
  version,
  digest: digest(version[0]!),
  ports: [18000],
  uptimeSeconds: 60,
  ...o,
});

describe("summarizeHost", () => {
  const env = environment("prod", ["h"], 2);
  test.each<[string, ContainerStatus[], Partial<FleetRow>]>([
    ["nothing deployed", [], { versions: [], healthy: 0, total: 0, expected: 2 }],
    [
      "two healthy instances of one version",
      [c("1", { health: "healthy", commit: "a".repeat(40) }), c("1", { uptimeSeconds: 90 })],
      { version: "1", versions: ["1"], healthy: 2, total: 2, commit: "a".repeat(40), ageSeconds: 90 },
    ],
    [
      "stopped (kept) containers do not count",
      [c("2"), c("1", { state: "exited" }), c("1", { state: "exited" })],
      { version: "2", versions: ["2"], total: 1, healthy: 1 },
    ],
    [
      "an unhealthy instance is running but not healthy",
      [c("1", { health: "healthy" }), c("1", { health: "unhealthy" })],
      { healthy: 1, total: 2 },
    ],
    [
      "a canary: the version most instances serve comes first",
      [c("1"), c("1"), c("2", { uptimeSeconds: 5 })],
      { version: "1", versions: ["1", "2"], total: 3 },
    ],
    [
      "a tie goes to the version started last",
      [c("1", { uptimeSeconds: 500 }), c("2", { uptimeSeconds: 5 })],
      { version: "2", versions: ["2", "1"], ageSeconds: 5 },
    ],
  ])("%s", (_name, containers, expected) => {
    expect(summarizeHost(env, "h", containers)).toMatchObject({ state: "ok", drift: false, ...expected });
  });
});

describe("markDrift", () => {
  const row = (host: string, version: string | undefined, state: FleetRow["state"] = "ok"): FleetRow => ({
    environment: "prod",
    host,
    state,
    versions: version ? [version] : [],
    ...(version ? { version } : {}),
    healthy: 1,
    total: 1,
    expected: 1,
    drift: false,
  });
  test.each<[string, FleetRow[], boolean, boolean[]]>([
    ["one version everywhere", [row("a", "1"), row("b", "1")], false, [false, false]],
    [
      "the odd host out is flagged",
      [row("a", "1"), row("b", "1"), row("c", "2")],
      true,
      [false, false, true],
    ],
    ["a tie flags every host", [row("a", "1"), row("b", "2")], true, [true, true]],
    [
      "a host with nothing deployed is not drift",
      [row("a", "1"), row("b", undefined)],
      false,
      [false, false],
    ],
    [
      "an unreachable host is not drift",
      [row("a", "1"), row("b", undefined, "unreachable")],
      false,
      [false, false],
    ],
  ])("%s", (_name, rows, drift, flags) => {
    const env = markDrift("prod", rows);
    expect(env.drift).toBe(drift);
    expect(env.rows.map((r) => r.drift)).toEqual(flags);
  });
});

describe("fleetStatus on fake hosts", () => {
  const qa = environment("qa", ["10.0.0.1", "10.0.0.2"]);
  const prod = environment("prod", ["10.0.1.1", "10.0.1.2", "10.0.1.3"], 1);
  const request = (fleet: FakeFleet, env: DeployEnvironment) => ({
    environment: env,
    ssh: {},
    logger: silentLogger,
    openHosts: fleet.openHosts,
  });

  test("two environments, a drifted host and an unreachable one: every host in one table", async () => {
    const fleet = new FakeFleet();
    await sshEngine.deploy({ ...request(fleet, qa), image: image("2-bbbbbbb", "b") });
    await sshEngine.deploy({ ...request(fleet, prod), image: image("1-aaaaaaa", "a") });
    // prod's third host got the newer version on its own: drift.
    await sshEngine.deploy({
      ...request(fleet, prod),
      image: image("2-bbbbbbb", "b"),
      hosts: [prod.hosts[2]!],
    });
    // The image's commit reaches the containers through its labels.
    for (const h of fleet.hosts.values())
      for (const ct of h.containers.values())
        ct.labels["org.opencontainers.image.revision"] = ct.labels[LABEL.version]!.startsWith("2")
          ? "b".repeat(40)
          : "a".repeat(40);
    fleet.host(qa.hosts[1]!).behaviour.lostAfterCommands = 0;

    const result = await fleetStatus({
      environments: [qa, prod],
      ssh: {},
      logger: silentLogger,
      openHosts: fleet.openHosts,
    });

    expect(result.map((e) => [e.name, e.drift, e.versions])).toEqual([
      ["qa", false, ["2-bbbbbbb"]],
      ["prod", true, ["1-aaaaaaa", "2-bbbbbbb"]],
    ]);
    const [qaRows, prodRows] = result.map((e) => e.rows);
    expect(qaRows![0]).toMatchObject({
      host: "deploy@10.0.0.1",
      state: "ok",
      version: "2-bbbbbbb",
      commit: "b".repeat(40),
      healthy: 2,
      total: 2,
    });
    expect(qaRows![0]!.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(qaRows![1]).toMatchObject({ host: "deploy@10.0.0.2", state: "unreachable", total: 0 });
    expect(qaRows![1]!.error).toMatch(/Connection closed/);
    expect(prodRows!.map((r) => [r.host, r.version, r.drift])).toEqual([
      ["deploy@10.0.1.1", "1-aaaaaaa", false],
      ["deploy@10.0.1.2", "1-aaaaaaa", false],
      ["deploy@10.0.1.3", "2-bbbbbbb", true],
    ]);
    // Observing changes nothing: no lock is left, no container moved.
    for (const h of fleet.hosts.values()) expect(h.locks.size).toBe(0);

    const table = formatFleet(result);
    expect(table).toMatch(/^ENVIRONMENT\s+HOST\s+VERSION\s+COMMIT\s+AGE\s+HEALTHY\s+DRIFT$/m);
    expect(table).toMatch(/^qa\s+deploy@10\.0\.0\.2\s+unreachable\s+-\s+-\s+-$/m);
    expect(table).toMatch(/^prod\s+deploy@10\.0\.1\.3\s+2-bbbbbbb\s+bbbbbbb\s+\S+\s+1\/1\s+drift$/m);
    expect(table).toContain("prod: hosts serve different versions (1-aaaaaaa, 2-bbbbbbb)");
  });

  test("the hosts are asked at once, not one after the other", async () => {
    const fleet = new FakeFleet();
    let inFlight = 0;
    let most = 0;
    const slow = {
      ...fleet,
      openHosts: async () => ({
        connect: async (t: { host: string; user?: string }) => {
          const h = fleet.host(t);
          return {
            name: h.name,
            target: h.target,
            run: async (...a: Parameters<typeof h.run>) => {
              inFlight++;
              most = Math.max(most, inFlight);
              await new Promise((r) => setTimeout(r, 20));
              inFlight--;
              return h.run(...a);
            },
          };
        },
        close: async () => {},
      }),
    };
    await fleetStatus({
      environments: [prod],
      ssh: {},
      logger: silentLogger,
      openHosts: slow.openHosts as never,
    });
    expect(most).toBe(3);
  });
});
