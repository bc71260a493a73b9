/**
 * deploy.hooks and `powertrain run` on the real test hosts (sshd + docker): a migration in a
 * volume the new version then sees, failures and time limits that leave the old version serving,
 * on-failure after a failed health gate, first-host against every-host, and the CLI's `run`.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ResolvedHook } from "../../packages/core/src/config/hooks";
import { deploy, RolloutError } from "../../packages/core/src/deploy/rollout";
import type { DeployEnvironment } from "../../packages/core/src/deploy/types";
import { exec } from "../../packages/core/src/exec/exec";
import { cleanUp, environment, failure, newApp, request, runConfig, versionOn } from "../deploy/support";
import { runCli, targetFlags } from "../support/cli";
import { tempDir } from "../support/helpers";
import { buildHookApp, env, oneOffsOf, removeVolume, volumeFile } from "./support";

jest.setTimeout(180_000);

const hook = (script: string, o: Partial<ResolvedHook> = {}): ResolvedHook => ({
  command: ["sh", "-c", script],
  timeoutMs: 30_000,
  on: "first-host",
  ...o,
});

function withHooks(
  base: DeployEnvironment,
  hooks: NonNullable<DeployEnvironment["deploy"]["hooks"]>,
): DeployEnvironment {
  return { ...base, deploy: { ...base.deploy, hooks } };
}

describe("deploy hooks on real hosts", () => {
  const app = newApp();
  const volume = `${app}-data`;
  const ports = { from: 18740, to: 18759 };
  const base = environment(
    app,
    runConfig(ports, { volumes: [{ source: volume, target: "/data", readOnly: false }] }),
  );
  let v1: string;
  let v2: string;
  let v3: string;
  let bad: string;

  beforeAll(async () => {
    [v1, v2, v3, bad] = await Promise.all([
      buildHookApp(app, "v1"),
      buildHookApp(app, "v2"),
      buildHookApp(app, "v3"),
      buildHookApp(app, "v4-bad", { healthy: false }),
    ]);
    await deploy(request(base, v1));
  });
  afterAll(async () => {
    await cleanUp(app);
    await removeVolume(volume);
  });

  test("pre-deploy: a migration writes into the volume, and the new version's instances see it", async () => {
    const env2 = withHooks(base, {
      "pre-deploy": hook('echo "schema of $POWERTRAIN_VERSION" > /data/schema'),
    });
    const report = await deploy(request(env2, v2));
    expect(report.deployed).toHaveLength(2);
    for (const d of report.deployed) {
      const r = await fetch(`http://127.0.0.1:${d.port}/schema`);
      expect((await r.text()).trim()).toBe("schema of v2");
    }
    expect(await oneOffsOf(app)).toEqual([]);
  });

  test("a failing pre-deploy leaves the old version serving and names its exit status and last lines", async () => {
    const before = (await deploy(request(base, v2))).deployed; // up to date: what serves
    const env3 = withHooks(base, {
      "pre-deploy": hook('echo "applying 0042"; echo "ERROR: column exists" >&2; exit 4'),
    });
    const err = await failure(deploy(request(env3, v3)));
    expect(err).toBeInstanceOf(RolloutError);
    expect(err.message).toContain("hook pre-deploy failed with exit status 4");
    expect(err.message).toContain("ERROR: column exists");
    expect(err.message).toContain("not-started (old version untouched)");
    for (const d of before) expect(await versionOn(d.port!)).toBe("v2");
    expect(await oneOffsOf(app)).toEqual([]);
  });

  test("a hook past its time limit is killed within it, and its container is gone", async () => {
    const env3 = withHooks(base, { "pre-deploy": hook("echo started; sleep 120", { timeoutMs: 3000 }) });
    const t0 = Date.now();
    const err = await failure(deploy(request(env3, v3)));
    const took = Date.now() - t0;
    expect(err.message).toContain("hook pre-deploy timed out after 3 s");
    expect(err.message).toContain("started");
    // The limit, plus the lock, the pull check and one round trip on a loaded machine — not the 120 s.
    expect(took).toBeGreaterThanOrEqual(3000);
    expect(took).toBeLessThan(20_000);
    expect(await oneOffsOf(app)).toEqual([]);
  });

  test("a hook may take longer than deploy.command-timeout: its own limit is what counts", async () => {
    const short = { ...base, deploy: { ...base.deploy, commandTimeoutMs: 2000 } };
    const slow = withHooks(short, {
      "pre-deploy": hook("sleep 4; echo slow > /data/slow", { timeoutMs: 20_000 }),
    });
    await deploy(request(slow, v2));
    expect((await volumeFile(volume, "slow")).trim()).toBe("slow");
  });

  test("on-failure runs after a failed health gate, told why; the old version keeps serving", async () => {
    const quick = { ...base, deploy: { ...base.deploy, healthTimeoutMs: 3000 } };
    const envBad = withHooks(quick, {
      "on-failure": hook('printf "%s" "$POWERTRAIN_ERROR" > /data/failure'),
    });
    await failure(deploy(request(envBad, bad)));
    expect(await volumeFile(volume, "failure")).toMatch(/new instances of v4-bad are not healthy/);
    const serving = (await deploy(request(base, v2))).deployed;
    expect(serving.length).toBe(2);
    expect(await oneOffsOf(app)).toEqual([]);
  });
});

describe("a deploy killed while its hook runs", () => {
  const app = newApp();
  const tmp = tempDir("pt-hooks-killed-");
  afterAll(async () => {
    // The killed process's ssh master outlives it: close it like its own clean-up would have.
    for (const dir of readdirSync(tmp).filter((d) => d.startsWith("pt-ssh-"))) {
      for (const sock of readdirSync(join(tmp, dir)).filter((f) => /^c\d+$/.test(f))) {
        await exec("ssh", ["-o", `ControlPath=${join(tmp, dir, sock)}`, "-O", "exit", "x"], {
          allowFailure: true,
        });
      }
    }
    await cleanUp(app);
  });

  test("the host still kills and removes the hook's container at its limit", async () => {
    const v1 = await buildHookApp(app, "v1");
    const env1 = withHooks(environment(app, runConfig({ from: 18790, to: 18799 })), {
      "pre-deploy": hook("sleep 120", { timeoutMs: 4000 }),
    });
    const { logger: _logger, ...childRequest } = request(env1, v1);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", resolve(__dirname, "../deploy/fixtures/deploy-child.ts")],
      {
        env: { ...process.env, TMPDIR: tmp, PT_DEPLOY_REQUEST: JSON.stringify(childRequest) },
        stdio: "ignore",
      },
    );
    const exited = new Promise((done) => child.once("exit", done));
    const deadline = Date.now() + 30_000;
    while ((await oneOffsOf(app)).length === 0) {
      if (Date.now() > deadline) throw new Error("the child deploy never started its hook");
      await new Promise((r) => setTimeout(r, 100));
    }
    const started = Date.now();
    child.kill("SIGKILL");
    await exited;
    while ((await oneOffsOf(app)).length > 0 && Date.now() - started < 30_000) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await oneOffsOf(app)).toEqual([]);
    // Gone by the 4 s limit (counted from before the container started), not after the 120 s sleep.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("first-host and every-host", () => {
  const app = newApp();
  const volume = `${app}-data`;
  const base = environment(
    app,
    runConfig(
      { from: 18760, to: 18779 },
      { instances: 1, volumes: [{ source: volume, target: "/data", readOnly: false }] },
    ),
    2,
  );
  afterAll(async () => {
    await cleanUp(app);
    await removeVolume(volume);
  });

  test("pre-deploy on every host, post-deploy on the first only", async () => {
    const v1 = await buildHookApp(app, "v1");
    const hooked = withHooks(base, {
      "pre-deploy": hook('echo "$POWERTRAIN_HOST" >> /data/pre', { on: "every-host" }),
      "post-deploy": hook('echo "$POWERTRAIN_HOST" >> /data/post'),
    });
    const report = await deploy(request(hooked, v1));
    expect(report.hosts.map((h) => h.status)).toEqual(["deployed", "deployed"]);
    expect((await volumeFile(volume, "pre")).trim().split("\n")).toEqual(env.ssh.hosts.slice(0, 2));
    expect((await volumeFile(volume, "post")).trim().split("\n")).toEqual(env.ssh.hosts.slice(0, 1));
  });
});

describe("powertrain run and import", () => {
  const app = newApp();
  const volume = `${app}-data`;
  const dir = tempDir("pt-hooks-cli-");
  const config = join(dir, "powertrain.yml");
  afterAll(async () => {
    await cleanUp(app);
    await removeVolume(volume);
  });

  beforeAll(async () => {
    const v1 = await buildHookApp(app, "v1");
    const host = `${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}`;
    writeFileSync(
      config,
      [
        "schema: 1",
        `name: ${app}`,
        "run:",
        "  instances: 1",
        '  ports: ["18780-18789:8080"]',
        `  volumes: ["${volume}:/data"]`,
        "  env: { GREETING: hello }",
        "  health: { http: /healthz }",
        "environments:",
        "  test:",
        `    hosts: ["${host}"]`,
        "    deploy:",
        "      hooks:",
        "        pre-deploy: echo migrated > /data/schema",
        "",
      ].join("\n"),
    );
    const r = await runCli("deploy", v1, ...cliTarget(), "--bind-address", "127.0.0.1");
    expect(r.code).toBe(0);
  });

  const cliTarget = () => targetFlags(config);

  test("prints the command's output and passes its exit status through", async () => {
    const r = await cliProcess([
      "run",
      ...cliTarget(),
      "--",
      "sh",
      "-c",
      'echo "$GREETING, $(cat /data/schema)"; echo oops >&2; exit 3',
    ]);
    expect(r.stdout).toContain("hello, migrated");
    expect(r.stderr).toContain("oops");
    expect(r.code).toBe(3);
    expect(await oneOffsOf(app)).toEqual([]);
  });

  test("stdin streams through when it is not a terminal", async () => {
    const r = await cliProcess(["run", ...cliTarget(), "--", "sh", "-c", "tr a-z A-Z"], "shout\n");
    expect(r.stdout).toContain("SHOUT");
    expect(r.code).toBe(0);
  });

  test("--dry-run prints the docker command of the deployed version and runs nothing", async () => {
    const r = await runCli(
      "run",
      ...cliTarget(),
      "--host",
      env.ssh.hosts[0]!,
      "--dry-run",
      "--",
      "ls",
      "-la",
    );
    expect(r.code).toBe(0);
    // --host by name alone: the environment's own entry for it (user, port).
    expect(r.stdout.startsWith(`${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}: docker create`)).toBe(
      true,
    );
    expect(r.stdout).toMatch(new RegExp(`docker create --rm -i --name ${app}-test-run-\\w+ `));
    expect(r.stdout).toContain(`/${app}/app:v1@sha256:`);
    expect(r.stdout).not.toContain("hello");
    expect(await oneOffsOf(app)).toEqual([]);
  });

  test("import maps RUN_SCRIPT onto deploy.hooks.pre-deploy", async () => {
    const mk = join(dir, "powertrain.mk");
    writeFileSync(mk, "NAME = legacy\nRUN_SCRIPT = ./bin/migrate --all\n");
    const out = join(dir, "imported.yml");
    const r = await runCli("import", mk, "-o", out);
    expect(r.code).toBe(0);
    const shown = await runCli("validate", out, "--json");
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout).deploy.hooks["pre-deploy"].command).toEqual(["./bin/migrate", "--all"]);
    expect(readFileSync(out, "utf8")).toMatch(
      /hooks:\n\s+# from RUN_SCRIPT[^\n]*\n\s+pre-deploy:\n\s+- \.\/bin\/migrate\n\s+- --all/,
    );
  });
});

/** The CLI as its own process (run attaches to the process's stdio), stdin piped from `input`. */
function cliProcess(args: string[], input = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = resolve(__dirname, "../..");
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "packages/cli/src/index.ts"), ...args],
      {
        cwd: root,
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", fail);
    child.once("exit", (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}
