/**
 * The SSH engine's decisions, against fake hosts (testing/fake-host.ts): what starts, what stops,
 * what a failure leaves serving, what rollback and the two ends of a canary do. The same paths run
 * against real sshd and docker in test/deploy and test/traffic.
 */
import { silentLogger } from "../log";
import { TEST_HOSTS, testEnvironment, testImage } from "../testing/environments";
import { FakeFleet, type FakeHost } from "../testing/fake-host";
import { sshEngine } from "./engine";
import { LABEL } from "./labels";
import { RolloutError } from "./rollout";
import type { DeployEnvironment } from "./types";

const V1 = testImage("1-aaaaaaa", "a");
const V2 = testImage("2-bbbbbbb", "b");
const hosts = TEST_HOSTS;

function environment(o: Partial<DeployEnvironment["deploy"]> = {}, instances = 2): DeployEnvironment {
  return testEnvironment({
    run: { instances, env: { GREETING: "hi ${NAME}", VERSION: "${POWERTRAIN_VERSION}" } },
    deploy: o,
  });
}

function engine(fleet: FakeFleet, env = environment()) {
  return {
    environment: env,
    envSource: { NAME: "world" },
    ssh: {},
    logger: silentLogger,
    openHosts: fleet.openHosts,
  };
}

const versions = (h: FakeHost) => h.running("shop").map((c) => c.labels[LABEL.version]);
const history = (h: FakeHost) => (h.files.get("shop.prod.history") ?? "").trim().split("\n").filter(Boolean);

async function deployed(fleet: FakeFleet, img: string, extra = {}) {
  return sshEngine.deploy({ ...engine(fleet), image: img, ...extra });
}

describe("deploy", () => {
  test("a first deploy starts the instances on every host, records it and frees the lock", async () => {
    const fleet = new FakeFleet();
    const report = await deployed(fleet, V1);
    expect(report.hosts.map((h) => h.status)).toEqual(["deployed", "deployed"]);
    for (const target of hosts) {
      const h = fleet.host(target);
      expect(versions(h)).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
      expect(h.images.has(V1)).toBe(true);
      expect(history(h)).toHaveLength(1);
      expect(h.locks.size).toBe(0);
    }
    expect(report.deployed).toHaveLength(4);
  });

  test("references resolve from the source; ${POWERTRAIN_VERSION} is the version deployed", async () => {
    const fleet = new FakeFleet();
    await deployed(fleet, V1);
    const h = fleet.host(hosts[0]!);
    const payload = h.inputs.get("start-health")!;
    expect(payload).toContain("GREETING=hi world");
    expect(payload).toContain("VERSION=1-aaaaaaa");
    // the env travels on stdin, never in the docker run arguments
    const run = [...h.containers.values()][0]!;
    expect(JSON.stringify(run)).not.toContain("world");
  });

  test("a new version replaces the old one, which is kept stopped for rollback", async () => {
    const fleet = new FakeFleet();
    await deployed(fleet, V1);
    const report = await deployed(fleet, V2);
    expect(report.previousVersion).toBe("1-aaaaaaa");
    const h = fleet.host(hosts[0]!);
    expect(versions(h)).toEqual(["2-bbbbbbb", "2-bbbbbbb"]);
    const stopped = [...h.containers.values()].filter((c) => c.state === "exited");
    expect(stopped.map((c) => c.labels[LABEL.version])).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
  });

  test("the same version again changes nothing", async () => {
    const fleet = new FakeFleet();
    await deployed(fleet, V1);
    const report = await deployed(fleet, V1);
    expect(report.hosts.map((h) => h.status)).toEqual(["unchanged", "unchanged"]);
    expect(fleet.host(hosts[0]!).calls.filter((c) => c === "start-health")).toHaveLength(1);
  });

  test("unhealthy new instances are removed, the old version keeps serving, later hosts are untouched", async () => {
    const fleet = new FakeFleet();
    await deployed(fleet, V1);
    const [h1, h2] = hosts.map((t) => fleet.host(t)) as [FakeHost, FakeHost];
    h1.behaviour.unhealthy = /:2-/;
    const err = await deployed(fleet, V2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RolloutError);
    expect((err as Error).message).toMatch(/new instances of 2-bbbbbbb are not healthy/);
    expect((err as RolloutError).report.hosts.map((h) => h.status)).toEqual(["failed", "not-started"]);
    expect(versions(h1)).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
    expect([...h1.containers.values()].some((c) => c.labels[LABEL.version] === "2-bbbbbbb")).toBe(false);
    expect(versions(h2)).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
    expect(h1.locks.size).toBe(0);
  });

  test("a lock held by another deploy: nothing starts, the holder is named", async () => {
    const fleet = new FakeFleet();
    fleet.host(hosts[0]!).behaviour.lockHeldBy = "owner: ci@runner-7 deploy-id: 1";
    const err = await deployed(fleet, V1).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /another deploy of shop to prod holds the lock \(owner: ci@runner-7/,
    );
    expect(fleet.host(hosts[0]!).containers.size).toBe(0);
  });

  test("a host lost mid-way fails the rollout; the host before it runs the new version", async () => {
    const fleet = new FakeFleet();
    await deployed(fleet, V1);
    fleet.host(hosts[1]!).behaviour.lostAfterCommands = fleet.host(hosts[1]!).calls.length + 1;
    const err = (await deployed(fleet, V2).catch((e: unknown) => e)) as RolloutError;
    expect(err.report.hosts.map((h) => [h.status, h.version])).toEqual([
      ["deployed", "2-bbbbbbb"],
      ["failed", undefined],
    ]);
    expect(err.message).toMatch(/Connection closed/);
    expect(versions(fleet.host(hosts[0]!))).toEqual(["2-bbbbbbb", "2-bbbbbbb"]);
  });

  test("an unreachable host within deploy.max-unreachable is skipped and reported; beyond it the rollout fails", async () => {
    const fleet = new FakeFleet();
    fleet.host(hosts[0]!).behaviour.lostAfterCommands = 0;
    const tolerant = { ...engine(fleet, environment({ maxUnreachable: 1 })), image: V1 };
    const report = await sshEngine.deploy(tolerant);
    expect(report.hosts.map((h) => h.status)).toEqual(["unreachable", "deployed"]);
    expect(report.hosts[0]!.error).toMatch(/Connection closed/);
    expect(versions(fleet.host(hosts[1]!))).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);

    const strict = new FakeFleet();
    strict.host(hosts[0]!).behaviour.lostAfterCommands = 0;
    const err = (await deployed(strict, V1).catch((e: unknown) => e)) as RolloutError;
    expect(err.report.hosts.map((h) => h.status)).toEqual(["failed", "not-started"]);
  });

  test("a dry run plans every host and changes none", async () => {
    const fleet = new FakeFleet();
    const report = await deployed(fleet, V1, { dryRun: true });
    expect(report.hosts.map((h) => h.status)).toEqual(["planned", "planned"]);
    expect(report.hosts[0]!.plan?.start).toHaveLength(2);
    expect(fleet.host(hosts[0]!).containers.size).toBe(0);
  });

  test.each([["-oProxyCommand=x"], ["1\nserver evil:1;"]])(
    "version %j is refused before any host",
    async (v) => {
      const fleet = new FakeFleet();
      await expect(deployed(fleet, V1, { version: v })).rejects.toThrow(/version/);
      expect(fleet.hosts.size).toBe(0);
    },
  );
});

describe("rollback", () => {
  test("kept containers of the previous version are started again", async () => {
    const fleet = new FakeFleet();
    await deployed(fleet, V1);
    await deployed(fleet, V2);
    const results = await sshEngine.rollback(engine(fleet));
    expect(results.map((r) => [r.method, r.from, r.to])).toEqual([
      ["restart", "2-bbbbbbb", "1-aaaaaaa"],
      ["restart", "2-bbbbbbb", "1-aaaaaaa"],
    ]);
    expect(versions(fleet.host(hosts[0]!))).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
    expect(history(fleet.host(hosts[0]!)).at(-1)).toContain("1-aaaaaaa");
  });

  test("without kept containers the previous digest is deployed again from the history", async () => {
    const fleet = new FakeFleet();
    await deployed(fleet, V1);
    await deployed(fleet, V2);
    for (const h of fleet.hosts.values())
      for (const c of [...h.containers.values()]) if (c.state === "exited") h.containers.delete(c.name);
    const before = fleet.host(hosts[1]!).calls.length;
    const results = await sshEngine.rollback(engine(fleet));
    expect(results.map((r) => r.method)).toEqual(["redeploy", "redeploy"]);
    // One lock for the look and the redeploy: no other deploy can slip in between.
    const during = fleet.host(hosts[1]!).calls.slice(before);
    expect(during.filter((c) => c === "lock")).toHaveLength(1);
    expect(during.filter((c) => c === "unlock")).toHaveLength(1);
    expect(versions(fleet.host(hosts[1]!))).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
  });

  test("nothing to roll back to is a clear error", async () => {
    const fleet = new FakeFleet();
    await deployed(fleet, V1);
    await expect(sshEngine.rollback(engine(fleet))).rejects.toThrow(/nothing to roll back to/);
  });
});

describe("canary", () => {
  const canaryEnv = () =>
    environment({
      strategy: "canary",
      router: { type: "command", command: ["lb-hook"] },
      drainMs: 0,
      canary: { instances: 1, sharePercent: 20 },
    });
  const upstream = (h: FakeHost) =>
    (
      JSON.parse(h.files.get("routes/shop-prod.json") ?? "{}") as {
        servers?: { version: string; weight: number }[];
      }
    ).servers ?? [];

  async function withCanary() {
    const fleet = new FakeFleet();
    const env = canaryEnv();
    await sshEngine.deploy({ ...engine(fleet, env), image: V1, strategy: "rolling" });
    await sshEngine.deploy({ ...engine(fleet, env), image: V2 });
    return { fleet, env };
  }

  test("a canary starts beside the old set and gets its share by weight", async () => {
    const { fleet } = await withCanary();
    const h = fleet.host(hosts[0]!);
    expect(versions(h).sort()).toEqual(["1-aaaaaaa", "1-aaaaaaa", "2-bbbbbbb"]);
    const weights = upstream(h).reduce<Record<string, number>>((w, s) => {
      w[s.version] = (w[s.version] ?? 0) + s.weight;
      return w;
    }, {});
    const share = weights["2-bbbbbbb"]! / (weights["1-aaaaaaa"]! + weights["2-bbbbbbb"]!);
    expect(share).toBeCloseTo(0.2, 1);
    expect(JSON.parse(h.files.get("shop.prod.canary")!)).toMatchObject({ version: "2-bbbbbbb" });
  });

  test("promote-canary gives it all the traffic and stops the old set", async () => {
    const { fleet, env } = await withCanary();
    const results = await sshEngine.promoteCanary(engine(fleet, env));
    expect(results.map((r) => r.serving.length)).toEqual([2, 2]);
    const h = fleet.host(hosts[0]!);
    expect(versions(h)).toEqual(["2-bbbbbbb", "2-bbbbbbb"]);
    expect(upstream(h).map((s) => s.version)).toEqual(["2-bbbbbbb", "2-bbbbbbb"]);
    expect(h.files.has("shop.prod.canary")).toBe(false);
  });

  test("abort-canary removes it; the old set takes everything again", async () => {
    const { fleet, env } = await withCanary();
    await sshEngine.abortCanary(engine(fleet, env));
    const h = fleet.host(hosts[1]!);
    expect(versions(h)).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
    expect([...h.containers.values()].some((c) => c.labels[LABEL.version] === "2-bbbbbbb")).toBe(false);
    expect(upstream(h).map((s) => s.version)).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
  });

  test("a second deploy while a canary runs is refused", async () => {
    const { fleet, env } = await withCanary();
    await expect(sshEngine.deploy({ ...engine(fleet, env), image: V1, strategy: "rolling" })).rejects.toThrow(
      /a canary of 2-bbbbbbb is running/,
    );
  });
});
