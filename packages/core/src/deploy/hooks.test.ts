/**
 * deploy.hooks and `powertrain run` against fake hosts (testing/fake-host.ts): when each hook runs,
 * where, with what, and what its failure leaves serving. The same paths run against real sshd and
 * docker in test/hooks.
 */
import type { ResolvedHooks } from "../config/hooks";
import { EngineUnsupportedError } from "../engine/errors";
import { silentLogger } from "../log";
import { swarmEngine } from "../swarm/engine";
import { TEST_HOSTS, testEnvironment, testImage } from "../testing/environments";
import { FakeFleet, type FakeHost, type FakeOneOffEnd, type FakeFleet as Fleet } from "../testing/fake-host";
import { sshEngine } from "./engine";
import { HookError, ONE_OFF_LABEL, oneOffArgs } from "./hooks";
import { LABEL } from "./labels";
import { RolloutError } from "./rollout";
import type { DeployEnvironment } from "./types";

const V1 = testImage("1-aaaaaaa", "a");
const V2 = testImage("2-bbbbbbb", "b");
const hosts = TEST_HOSTS;
const hook = (command: string[], on: "first-host" | "every-host" = "first-host") => ({
  command,
  timeoutMs: 5000,
  on,
});

function environment(hooks?: ResolvedHooks): DeployEnvironment {
  return testEnvironment({
    run: {
      env: { DB_URL: "postgres://${DB_PASSWORD}@db", PLAIN: "yes" },
      volumes: [{ source: "shop-data", target: "/data", readOnly: false }],
      labels: { "traefik.enable": "true" },
      restart: "unless-stopped",
      network: "shop-net",
    },
    deploy: hooks ? { hooks } : {},
  });
}

function request(fleet: Fleet, env: DeployEnvironment) {
  return {
    environment: env,
    envSource: { DB_PASSWORD: "s3cret-pw" },
    ssh: {},
    logger: silentLogger,
    openHosts: fleet.openHosts,
  };
}

const deploy = (fleet: Fleet, env: DeployEnvironment, img: string, extra = {}) =>
  sshEngine.deploy({ ...request(fleet, env), image: img, ...extra });

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure");
}

const versions = (h: FakeHost) => h.running("shop").map((c) => c.labels[LABEL.version]);
const kinds = (h: FakeHost) => h.oneOffs.map((o) => o.kind);
/** Every host's one-off ends as `end` says for the hook `kind`. */
function ending(fleet: Fleet, kind: string, end: FakeOneOffEnd) {
  for (const t of hosts) fleet.host(t).behaviour.oneOff = (run) => (run.kind === kind ? end : {});
}

describe("pre-deploy", () => {
  test("runs once, on the first host, as a one-off of the new image with the run configuration, before any instance starts", async () => {
    const fleet = new FakeFleet();
    await deploy(fleet, environment(), V1);
    const [first, second] = hosts.map((t) => fleet.host(t));
    const before = first!.calls.length;
    await deploy(fleet, environment({ "pre-deploy": hook(["./migrate", "up"]) }), V2);
    expect(kinds(first!)).toEqual(["pre-deploy"]);
    expect(kinds(second!)).toEqual([]);
    const run = first!.oneOffs[0]!;
    expect(run.image).toBe(V2);
    expect(run.command).toEqual(["./migrate", "up"]);
    expect(run.env).toMatchObject({
      DB_URL: "postgres://s3cret-pw@db",
      PLAIN: "yes",
      POWERTRAIN_HOOK: "pre-deploy",
      POWERTRAIN_VERSION: "2-bbbbbbb",
      POWERTRAIN_ENVIRONMENT: "prod",
    });
    // Under the deploy lock, after the pull, before the new instances start — on any host.
    const calls = first!.calls
      .slice(before)
      .filter((c) => ["lock", "pull", "hook", "start-health", "unlock"].includes(c));
    expect(calls).toEqual(["lock", "pull", "hook", "start-health", "unlock"]);
    expect(versions(first!)).toEqual(["2-bbbbbbb", "2-bbbbbbb"]);
    expect(versions(second!)).toEqual(["2-bbbbbbb", "2-bbbbbbb"]);
    expect(first!.locks.size).toBe(0);
  });

  test("every-host runs it on each host, all before the first host starts anything", async () => {
    const fleet = new FakeFleet();
    const order: string[] = [];
    for (const t of hosts) {
      fleet.host(t).behaviour.oneOff = () => {
        order.push(`hook ${t.host}`);
        return {};
      };
    }
    const env = environment({ "pre-deploy": hook(["true"], "every-host") });
    const report = await deploy(fleet, env, V1);
    expect(order).toEqual(["hook 10.0.0.1", "hook 10.0.0.2"]);
    for (const t of hosts) {
      const calls = fleet.host(t).calls;
      expect(calls.indexOf("hook")).toBeLessThan(calls.indexOf("start-health"));
      expect(fleet.host(t).locks.size).toBe(0);
    }
    expect(report.hosts.map((h) => h.status)).toEqual(["deployed", "deployed"]);
  });

  test("a failure stops the deploy before any instance changes, naming the exit status and the last lines", async () => {
    const fleet = new FakeFleet();
    await deploy(fleet, environment(), V1);
    ending(fleet, "pre-deploy", { exitCode: 3, output: ["migrating…", "ERROR: relation users exists"] });
    const err = await failure(deploy(fleet, environment({ "pre-deploy": hook(["./migrate"]) }), V2));
    expect(err).toBeInstanceOf(RolloutError);
    expect(err.cause).toBeInstanceOf(HookError);
    expect((err.cause as HookError).outcome).toMatchObject({ status: "exit", exitCode: 3 });
    expect(err.message).toContain("hook pre-deploy failed with exit status 3");
    expect(err.message).toContain("ERROR: relation users exists");
    expect(err.message).toContain("not-started (old version untouched)");
    expect((err as RolloutError).hint).toMatch(/old version keeps serving/);
    for (const t of hosts) {
      const h = fleet.host(t);
      expect(versions(h)).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
      expect(h.calls.filter((c) => c === "start-health")).toHaveLength(1); // the first deploy's only
      expect(h.locks.size).toBe(0);
    }
  });

  test("a timeout fails it the same way, saying so", async () => {
    const fleet = new FakeFleet();
    ending(fleet, "pre-deploy", { timeout: true });
    const err = await failure(deploy(fleet, environment({ "pre-deploy": hook(["sleep", "99"]) }), V1));
    expect(err.message).toContain(
      "hook pre-deploy timed out after 5 s: its container was killed and removed",
    );
    expect(fleet.host(hosts[0]!).running("shop")).toEqual([]);
  });

  test("a hook that cannot start says docker's reason", async () => {
    const fleet = new FakeFleet();
    ending(fleet, "pre-deploy", {
      startFails: "docker: Error response from daemon: network shop-net not found.",
    });
    const err = await failure(deploy(fleet, environment({ "pre-deploy": hook(["true"]) }), V1));
    expect(err.message).toContain(
      "hook pre-deploy could not start: docker: Error response from daemon: network shop-net not found.",
    );
  });

  test("a dry run runs no hook and says which would", async () => {
    const fleet = new FakeFleet();
    const lines: string[] = [];
    const logger = { ...silentLogger, info: (m: string) => lines.push(m) };
    await deploy(fleet, environment({ "pre-deploy": hook(["./migrate"]) }), V1, { dryRun: true, logger });
    expect(kinds(fleet.host(hosts[0]!))).toEqual([]);
    expect(lines).toContain("hook pre-deploy would run on the first host: ./migrate");
  });
});

describe("post-deploy and on-failure", () => {
  test("post-deploy runs after every host serves the new version; on-failure does not run", async () => {
    const fleet = new FakeFleet();
    const env = environment({ "post-deploy": hook(["./warm"]), "on-failure": hook(["./notify"]) });
    await deploy(fleet, env, V1);
    const [first, second] = hosts.map((t) => fleet.host(t));
    expect(kinds(first!)).toEqual(["post-deploy"]);
    expect(kinds(second!)).toEqual([]);
    // After the second host's deploy finished.
    expect(second!.calls.includes("unlock")).toBe(true);
    expect(first!.calls.at(-1)).toBe("hook");
  });

  test("a failing post-deploy fails the deploy, but the new version stays serving", async () => {
    const fleet = new FakeFleet();
    await deploy(fleet, environment(), V1);
    ending(fleet, "post-deploy", { exitCode: 1, output: ["cache warm failed"] });
    const env = environment({
      "post-deploy": hook(["./warm"], "every-host"),
      "on-failure": hook(["./notify"]),
    });
    const err = await failure(deploy(fleet, env, V2));
    expect(err.message).toContain("hook post-deploy failed with exit status 1");
    expect((err as RolloutError).hint).toMatch(/new version serves and stays/);
    expect((err as RolloutError).report.hosts.map((h) => h.status)).toEqual(["deployed", "deployed"]);
    for (const t of hosts) expect(versions(fleet.host(t))).toEqual(["2-bbbbbbb", "2-bbbbbbb"]);
    expect(kinds(fleet.host(hosts[0]!))).toEqual(["post-deploy", "on-failure"]);
  });

  test("on-failure runs when the health gate fails, told why, after the new containers are gone", async () => {
    const fleet = new FakeFleet();
    await deploy(fleet, environment(), V1);
    for (const t of hosts) fleet.host(t).behaviour.unhealthy = /2-bbbbbbb/;
    const env = environment({
      "post-deploy": hook(["./warm"]),
      "on-failure": hook(["./notify"], "every-host"),
    });
    await failure(deploy(fleet, env, V2));
    const [first, second] = hosts.map((t) => fleet.host(t));
    expect(kinds(first!)).toEqual(["on-failure"]);
    expect(kinds(second!)).toEqual(["on-failure"]);
    const run = first!.oneOffs[0]!;
    expect(run.image).toBe(V2);
    expect(run.env.POWERTRAIN_ERROR).toMatch(/^deploy@10.0.0.1: new instances of 2-bbbbbbb are not healthy/);
    // The second host never got the new image: on-failure pulled it first.
    expect(second!.images.has(V2)).toBe(true);
    expect(versions(first!)).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
  });

  test("a failing on-failure is a warning; the deploy's own error stands", async () => {
    const fleet = new FakeFleet();
    const warnings: string[] = [];
    ending(fleet, "on-failure", { exitCode: 9 });
    fleet.host(hosts[0]!).behaviour.pullFails = true;
    const env = environment({ "on-failure": hook(["./notify"]) });
    const err = await failure(
      deploy(fleet, env, V1, { logger: { ...silentLogger, warn: (m: string) => warnings.push(m) } }),
    );
    expect(err.message).toContain("pulling");
    expect(warnings.join("\n")).toMatch(/hook on-failure on deploy@10.0.0.1:.*(pull|exit status)/);
  });
});

describe("one-off containers", () => {
  const oneOff = {
    app: "shop",
    environment: "prod",
    version: "2-bbbbbbb",
    image: V2,
    kind: "pre-deploy" as const,
    run: environment().run,
    command: ["./migrate"],
  };

  test("carry no instance label, ports, restart policy nor the user's labels; env values stay off the command line", () => {
    const args = oneOffArgs(oneOff, "shop-prod-pre-deploy-1", {});
    expect(args.slice(0, 4)).toEqual(["run", "-d", "--name", "shop-prod-pre-deploy-1"]);
    const labels = args.flatMap((a, i) => (args[i - 1] === "--label" ? [a] : []));
    expect(labels).toContain(`${ONE_OFF_LABEL.kind}=pre-deploy`);
    expect(labels.some((l) => l.startsWith(`${LABEL.app}=`) || l.startsWith("traefik."))).toBe(false);
    expect(args).not.toContain("-p");
    expect(args).not.toContain("--restart");
    expect(args.join(" ")).not.toContain("postgres://");
    expect(args).toEqual(
      expect.arrayContaining(["--env-file", "/dev/stdin", "-v", "shop-data:/data", "--network", "shop-net"]),
    );
    expect(args.slice(-2)).toEqual([V2, "./migrate"]);
  });

  test("`create` with a terminal for powertrain run", () => {
    const args = oneOffArgs(oneOff, "x", { create: true, tty: true });
    expect(args.slice(0, 6)).toEqual(["create", "--rm", "-i", "-t", "--name", "x"]);
  });

  test("HookError is a DeployError naming host, hook and status", () => {
    const e = new HookError("pre-deploy", "h1", { status: "exit", exitCode: 2, tail: ["a"] }, 1000);
    expect(e.message).toBe("h1: hook pre-deploy failed with exit status 2\nlast lines of its output:\n  a");
  });
});

describe("powertrain run", () => {
  test("runs the deployed version on the first host, attached, passes the exit status and removes the container", async () => {
    const fleet = new FakeFleet();
    await deploy(fleet, environment(), V1);
    const first = fleet.host(hosts[0]!);
    first.behaviour.attachExitCode = 7;
    const result = await sshEngine.run({
      ...request(fleet, environment()),
      command: ["sh", "-c", "exit 7"],
      tty: false,
    });
    expect(result).toMatchObject({ host: "deploy@10.0.0.1", version: "1-aaaaaaa", exitCode: 7 });
    const created = first.oneOffs.at(-1)!;
    expect(created).toMatchObject({ kind: "run", image: V1, command: ["sh", "-c", "exit 7"] });
    expect(created.env.DB_URL).toBe("postgres://s3cret-pw@db");
    expect(first.calls).toContain(`attach docker start -a -i ${created.name}`);
    expect(first.containers.has(created.name)).toBe(false);
    expect(versions(first)).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
    expect(fleet.host(hosts[1]!).oneOffs).toEqual([]);
  });

  test("--dry-run says the docker command and runs nothing; --host picks another host", async () => {
    const fleet = new FakeFleet();
    await deploy(fleet, environment(), V1);
    const result = await sshEngine.run({
      ...request(fleet, environment()),
      hosts: [hosts[1]!],
      command: ["ls"],
      tty: true,
      dryRun: true,
    });
    expect(result.host).toBe("deploy@10.0.0.2");
    expect(result.command).toMatch(/^docker create --rm -i -t --name shop-prod-run-\w+ /);
    expect(result.command).not.toContain("s3cret");
    expect(fleet.host(hosts[1]!).oneOffs).toEqual([]);
  });

  test("nothing deployed is said so", async () => {
    const err = await failure(
      sshEngine.run({ ...request(new FakeFleet(), environment()), command: ["ls"], tty: false }),
    );
    expect(err.message).toMatch(/nothing of shop is deployed in prod/);
  });
});

describe("the Swarm engine", () => {
  test("refuses hooks and run plainly", async () => {
    const env = {
      ...environment({ "pre-deploy": hook(["x"]) }),
      deploy: { ...environment({ "pre-deploy": hook(["x"]) }).deploy, engine: "swarm" as const },
    };
    const err = await failure(swarmEngine.deploy({ ...request(new FakeFleet(), env), image: V1 }));
    expect(err).toBeInstanceOf(EngineUnsupportedError);
    expect(err.message).toMatch(/engine swarm has no deploy hooks/);
    await expect(
      swarmEngine.run({ ...request(new FakeFleet(), env), command: ["x"], tty: false }),
    ).rejects.toThrow(/engine swarm has no run/);
  });
});
