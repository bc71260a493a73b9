/** `scale` on the SSH engine against fake hosts: what starts, what leaves, the router, the remembered count. */
import { silentLogger } from "../log";
import { TEST_HOSTS, testDigest, testEnvironment, testImage } from "../testing/environments";
import { FakeFleet, type FakeHost } from "../testing/fake-host";
import { sshEngine } from "./engine";
import { LABEL } from "./labels";
import type { DeployEnvironment } from "./types";

const V1 = testImage("1-aaaaaaa", "a");
const V2 = testImage("2-bbbbbbb", "b");
const hosts = [TEST_HOSTS[0]!];

function environment(o: Partial<DeployEnvironment["deploy"]> = {}, instances = 2): DeployEnvironment {
  return testEnvironment({ hosts, run: { instances, env: { VERSION: "${POWERTRAIN_VERSION}" } }, deploy: o });
}

const withRouter = () => environment({ router: { type: "command", command: ["lb-hook"] }, drainMs: 0 });

function request(fleet: FakeFleet, env = environment()) {
  return { environment: env, envSource: {}, ssh: {}, logger: silentLogger, openHosts: fleet.openHosts };
}

const host = (fleet: FakeFleet): FakeHost => fleet.host(hosts[0]!);
const ours = (h: FakeHost) => h.running("shop").filter((c) => c.state === "running");
const routed = (h: FakeHost) =>
  (
    (JSON.parse(h.files.get("routes/shop-prod.json") ?? "{}") as { servers?: { port: number }[] }).servers ??
    []
  )
    .map((s) => s.port)
    .sort();
const ports = (h: FakeHost) =>
  ours(h)
    .map((c) => c.ports[0]!.host)
    .sort();

describe("scale", () => {
  test("up: new instances of the running version, health-gated, on free ports, routed with the rest", async () => {
    const fleet = new FakeFleet();
    const env = withRouter();
    await sshEngine.deploy({ ...request(fleet, env), image: V1 });
    const [r] = await sshEngine.scale({ ...request(fleet, env), instances: 4 });
    const h = host(fleet);
    expect(r).toMatchObject({ version: "1-aaaaaaa", from: 2, to: 4 });
    expect(r!.started).toHaveLength(2);
    expect(ours(h)).toHaveLength(4);
    expect(new Set(ours(h).map((c) => c.labels[LABEL.digest]))).toEqual(new Set([testDigest("a")]));
    expect(new Set(ports(h)).size).toBe(4);
    expect(routed(h)).toEqual(ports(h));
    // The new ones carry the version's deploy id, so a later deploy counts them as a finished deploy's.
    expect(new Set(ours(h).map((c) => c.labels[LABEL.deployId])).size).toBe(1);
    expect(h.inputs.get("start-health")).toContain("VERSION=1-aaaaaaa");
    expect(h.locks.size).toBe(0);
  });

  test("up: unhealthy new instances are removed, the running ones keep serving and stay routed", async () => {
    const fleet = new FakeFleet();
    const env = withRouter();
    await sshEngine.deploy({ ...request(fleet, env), image: V1 });
    const before = routed(host(fleet));
    host(fleet).behaviour.unhealthy = /shop/;
    await expect(sshEngine.scale({ ...request(fleet, env), instances: 3 })).rejects.toThrow(/not healthy/);
    expect(ours(host(fleet))).toHaveLength(2);
    expect(routed(host(fleet))).toEqual(before);
    expect(host(fleet).files.has("shop.prod.scale")).toBe(false);
    expect(host(fleet).locks.size).toBe(0);
  });

  test("down: the leaving instances leave the router first, then are removed", async () => {
    const fleet = new FakeFleet();
    const env = withRouter();
    await sshEngine.deploy({ ...request(fleet, env), image: V1 });
    await sshEngine.scale({ ...request(fleet, env), instances: 4 });
    const [r] = await sshEngine.scale({ ...request(fleet, env), instances: 1 });
    const h = host(fleet);
    expect(r).toMatchObject({ from: 4, to: 1 });
    expect(r!.removed).toHaveLength(3);
    expect(ours(h)).toHaveLength(1);
    expect(h.containers.size).toBe(1);
    expect(routed(h)).toEqual(ports(h));
    const calls = h.calls.slice(h.calls.lastIndexOf("lock"));
    expect(calls.indexOf("command-apply")).toBeLessThan(calls.findIndex((c) => c.startsWith("docker rm")));
  });

  test("the next deploy keeps the scaled count; --instances or a changed run.instances says otherwise", async () => {
    const fleet = new FakeFleet();
    await sshEngine.deploy({ ...request(fleet), image: V1 });
    await sshEngine.scale({ ...request(fleet), instances: 4 });
    await sshEngine.deploy({ ...request(fleet), image: V2 });
    expect(ours(host(fleet)).map((c) => c.labels[LABEL.version])).toEqual(Array(4).fill("2-bbbbbbb"));
    await sshEngine.deploy({ ...request(fleet), image: V1, instances: 3 });
    expect(ours(host(fleet))).toHaveLength(3);
    // --instances replaced the remembered count: the next deploy goes by the configuration again.
    await sshEngine.deploy({ ...request(fleet), image: V2 });
    expect(ours(host(fleet))).toHaveLength(2);

    await sshEngine.scale({ ...request(fleet), instances: 5 });
    await sshEngine.deploy({ ...request(fleet, environment({}, 3)), image: V1 });
    expect(ours(host(fleet))).toHaveLength(3);
  });

  test("dry run: says what would change, changes nothing", async () => {
    const fleet = new FakeFleet();
    await sshEngine.deploy({ ...request(fleet), image: V1 });
    const calls = host(fleet).calls.length;
    const [r] = await sshEngine.scale({ ...request(fleet), instances: 3, dryRun: true });
    expect(r).toMatchObject({ planned: true, from: 2, to: 3, started: [] });
    expect(ours(host(fleet))).toHaveLength(2);
    expect(host(fleet).calls.slice(calls)).toEqual(["observe"]);
  });

  test("nothing deployed is a clear error; so are 0 and a running canary", async () => {
    const fleet = new FakeFleet();
    await expect(sshEngine.scale({ ...request(fleet), instances: 2 })).rejects.toThrow(
      "10.0.0.1: nothing of shop runs in prod here to scale",
    );
    expect(host(fleet).locks.size).toBe(0);
    await expect(sshEngine.scale({ ...request(fleet), instances: 0 })).rejects.toThrow(/≥ 1/);
    const env = { ...withRouter(), deploy: { ...withRouter().deploy, strategy: "canary" as const } };
    await sshEngine.deploy({ ...request(fleet, env), image: V1, strategy: "rolling" });
    await sshEngine.deploy({ ...request(fleet, env), image: V2 });
    await expect(sshEngine.scale({ ...request(fleet, env), instances: 3 })).rejects.toThrow(
      /canary of 2-bbbbbbb/,
    );
  });
});
