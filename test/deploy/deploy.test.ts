import { PortRangeError } from "../../packages/core/src/deploy/errors";
import { logs, status } from "../../packages/core/src/deploy/operations";
import { rollback } from "../../packages/core/src/deploy/rollback";
import { deploy } from "../../packages/core/src/deploy/rollout";
import { exec } from "../../packages/core/src/exec/exec";
import { silentLogger } from "../../packages/core/src/log";
import { HOSTILE } from "../../packages/core/src/ssh/hostile.fixture";
import {
  buildApp,
  cleanUp,
  containersOf,
  environment,
  failure,
  newApp,
  request,
  runConfig,
  sshOptions,
  env as testEnv,
  versionOn,
} from "./support";

jest.setTimeout(120_000);

describe("rolling deploy on one host", () => {
  const app = newApp();
  const ports = { from: 18100, to: 18119 };
  const env = environment(app, runConfig(ports, { instances: 3 }));
  let v1: string;
  let v2: string;
  let bad: string;
  let v4: string;

  beforeAll(async () => {
    [v1, v2, bad, v4] = await Promise.all([
      buildApp(app, "v1"),
      buildApp(app, "v2"),
      buildApp(app, "v3-bad", { healthy: false }),
      buildApp(app, "v4"),
    ]);
  });
  afterAll(() => cleanUp(app));

  test("deploys N instances, each answering on its own port with discovery labels", async () => {
    const report = await deploy(request(env, v1));
    expect(report.deployed).toHaveLength(3);
    const deployedPorts = report.deployed.map((d) => d.port!);
    expect(new Set(deployedPorts).size).toBe(3);
    for (const port of deployedPorts) {
      expect(port).toBeGreaterThanOrEqual(ports.from);
      expect(await versionOn(port)).toBe("v1");
    }
    const labels = await exec("docker", [
      "inspect",
      "-f",
      '{{index .Config.Labels "dev.powertrain.discovery"}}',
      ...report.deployed.map((d) => d.container),
    ]);
    expect(labels.stdout.trim().split("\n").sort()).toEqual(
      deployedPorts.map((p) => `${env.hosts[0]!.host}:${p}:${app}:v1`).sort(),
    );
  });

  test("redeploy: at every moment at least N instances answer (zero failed polls)", async () => {
    let polling = true;
    let rounds = 0;
    const failures: string[] = [];
    const poll = (async () => {
      while (polling) {
        const running = (
          await status({
            environment: env,
            ssh: request(env, v2).ssh,
            hostScope: true,
            logger: request(env, v2).logger,
          })
        )
          .filter((c) => c.state === "running")
          .flatMap((c) => c.ports);
        const answers = await Promise.all(running.map(versionOn));
        const ok = answers.filter((a) => a === "v1" || a === "v2").length;
        rounds++;
        if (ok < 3) failures.push(`round ${rounds}: ${ok} answered (${answers.join(",")})`);
      }
    })();
    const report = await deploy(request(env, v2));
    polling = false;
    await poll;
    expect(failures).toEqual([]);
    expect(rounds).toBeGreaterThan(2);
    expect(report.previousVersion).toBe("v1");
    for (const d of report.deployed) expect(await versionOn(d.port!)).toBe("v2");
    const states = await containersOf(app);
    expect(states.filter((c) => c.state === "running").map((c) => c.version)).toEqual(["v2", "v2", "v2"]);
    expect(states.filter((c) => c.state === "exited").map((c) => c.version)).toEqual(["v1", "v1", "v1"]);
  });

  test("a version whose health check fails: rejected with its logs, removed, old version still serving", async () => {
    const before = (await containersOf(app)).filter((c) => c.state === "running");
    const impatient = { ...env, deploy: { ...env.deploy, healthTimeoutMs: 3000 } };
    const err = await failure(deploy(request(impatient, bad)));
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/new instances of v3-bad are not healthy/);
    expect(err.message).toMatch(/last log lines of|logged nothing/);
    expect(err.message).toMatch(/127\.0\.0\.1:\d+: failed/);
    expect(err.message).toMatch(/not healthy after 3s/);
    const after = await containersOf(app);
    expect(after.filter((c) => c.version === "v3-bad")).toEqual([]);
    expect(
      after
        .filter((c) => c.state === "running")
        .map((c) => c.name)
        .sort(),
    ).toEqual(before.map((c) => c.name).sort());
    const serving = await status({
      environment: env,
      ssh: request(env, v2).ssh,
      hostScope: true,
      logger: request(env, v2).logger,
    });
    for (const c of serving.filter((s) => s.state === "running"))
      expect(await versionOn(c.ports[0]!)).toBe("v2");
  });

  test("rollback restarts the kept previous containers within seconds", async () => {
    const t0 = Date.now();
    const [result] = await rollback({
      environment: env,
      ssh: request(env, v1).ssh,
      hostScope: true,
      logger: request(env, v1).logger,
    });
    const seconds = (Date.now() - t0) / 1000;
    expect(result).toMatchObject({ method: "restart", from: "v2", to: "v1" });
    expect(seconds).toBeLessThan(5);
    for (const i of result!.instances) expect(await versionOn(i.port!)).toBe("v1");
    const running = (await containersOf(app)).filter((c) => c.state === "running");
    expect(running.map((c) => c.version)).toEqual(["v1", "v1", "v1"]);
  });

  test("rollback without kept containers redeploys the previous digest from the history", async () => {
    // Drop the kept v2 containers: only the history knows v2 now.
    const kept = (await containersOf(app)).filter((c) => c.state !== "running").map((c) => c.name);
    await exec("docker", ["rm", "-f", ...kept]);
    const [result] = await rollback({
      environment: env,
      ssh: request(env, v1).ssh,
      hostScope: true,
      logger: request(env, v1).logger,
    });
    expect(result).toMatchObject({ method: "redeploy", from: "v1", to: "v2" });
    for (const i of result!.instances) expect(await versionOn(i.port!)).toBe("v2");
  });

  test("two concurrent deploys serialize on the host lock", async () => {
    // v2 serves now; without the lock both deploys would see v2 as what they replace.
    const [a, b] = await Promise.all([deploy(request(env, v1)), deploy(request(env, v4))]);
    const previous = [a.previousVersion, b.previousVersion];
    expect(previous).toContain("v2");
    expect(previous.filter((p) => p !== "v2")).toHaveLength(1);
    expect(["v1", "v4"]).toContain(previous.find((p) => p !== "v2"));
    const running = (await containersOf(app)).filter((c) => c.state === "running");
    expect(running).toHaveLength(3);
    expect(new Set(running.map((c) => c.version)).size).toBe(1);
  });
});

describe("deploy edge cases", () => {
  const app = newApp();
  let v1: string;
  beforeAll(async () => {
    v1 = await buildApp(app, "v1");
  });
  afterAll(() => cleanUp(app));

  test("hostile env values arrive literally in the container (and not as its arguments)", async () => {
    const values: Record<string, string> = {};
    HOSTILE.forEach((v, i) => {
      values[`V${i}`] = v;
    });
    const env = environment(app, runConfig({ from: 18120, to: 18129 }, { instances: 1, env: values }));
    const report = await deploy(request(env, v1));
    const container = report.deployed[0]!.container;
    // PID 1 is the init process; the app and it share the environment docker set.
    const environ = await exec("docker", ["exec", container, "cat", "/proc/1/environ"]);
    const got: Record<string, string> = {};
    for (const entry of environ.stdout.split("\0").filter(Boolean)) {
      const eq = entry.indexOf("=");
      if (/^V\d+$/.test(entry.slice(0, eq))) got[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    expect(got).toEqual(values);
    const inspect = await exec("docker", ["inspect", "-f", "{{json .Args}} {{json .Path}}", container]);
    expect(inspect.stdout).not.toContain("touch /tmp/pt-pwned");
  });

  test("an exhausted port range is a clear error and leaves nothing behind", async () => {
    const env = environment(app, runConfig({ from: 18130, to: 18131 }, { instances: 3 }));
    const before = await containersOf(app);
    const err = await failure(deploy(request(env, v1)));
    expect(err.message).toMatch(
      /port range 18130-18131 on 127\.0\.0\.1 is exhausted: need 3 free ports, found 2/,
    );
    expect(await containersOf(app)).toEqual(before);
  });
});

describe("pull", () => {
  const app = newApp();
  let v1: string;
  beforeAll(async () => {
    v1 = await buildApp(app, "v1");
  });
  afterAll(() => cleanUp(app));

  test("pulls by digest with registry credentials sent on stdin", async () => {
    // Only the registry has the image now (nothing on the engine uses it).
    await exec("docker", ["rmi", v1.replace(/:v1@/, "@"), v1.split("@")[0]!]);
    const env = environment(app, runConfig({ from: 18140, to: 18149 }, { instances: 1 }));
    const { registry } = testEnv;
    const noAuth = await failure(deploy(request(env, v1)));
    expect(noAuth.message).toMatch(/pulling .* failed/);
    const report = await deploy(
      request(env, v1, {
        registryAuth: { registry: registry.host, username: registry.user, password: registry.password },
      }),
    );
    expect(await versionOn(report.deployed[0]!.port!)).toBe("v1");
  });
});

describe("logs --follow", () => {
  const app = newApp();
  afterAll(() => cleanUp(app));

  test("streams new lines of every serving container as they come, until aborted", async () => {
    const image = await buildApp(app, "v1");
    // httpd -v logs a line per request.
    const run = runConfig(
      { from: 18160, to: 18169 },
      { command: ["httpd", "-f", "-v", "-p", "8080", "-h", "/www"] },
    );
    const env = environment(app, run);
    const report = await deploy(request(env, image));
    const lines: string[] = [];
    const stop = new AbortController();
    const following = logs(
      {
        environment: env,
        ssh: sshOptions(),
        logger: silentLogger,
        hostScope: true,
        tail: 0,
        follow: true,
        signal: stop.signal,
      },
      (line) => lines.push(line),
    );
    // --tail 0: every line that arrives was logged after the follow began.
    const names = report.deployed.map((d) => d.container).sort();
    const seen = () => [...new Set(lines.map((l) => l.split(" ")[1]!))].sort();
    for (let i = 0; i < 100 && seen().join() !== names.join(); i++) {
      await Promise.all(report.deployed.map((d) => versionOn(d.port!)));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen()).toEqual(names);
    expect(lines[0]).toMatch(
      new RegExp(`^${env.hosts[0]!.user}@${env.hosts[0]!.host}:\\d+ ${app}-\\S+ \\| \\S+ .*response:200`),
    );
    stop.abort();
    await following;
  });
});

test("PortRangeError is a user error", () => {
  expect(new PortRangeError("x").userError).toBe(true);
});
