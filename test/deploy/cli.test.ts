import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { registerDeploy } from "../../packages/cli/src/commands/deploy";
import { registerLogs } from "../../packages/cli/src/commands/logs";
import { registerPs } from "../../packages/cli/src/commands/ps";
import { registerRollback } from "../../packages/cli/src/commands/rollback";
import { registerStop } from "../../packages/cli/src/commands/stop";
import { buildProgram, type CliContext, reportError } from "../../packages/cli/src/main";
import { StreamLogger } from "../../packages/core/src/log";
import { targetFlags } from "../support/cli";
import { tempDir } from "../support/helpers";
import { buildApp, cleanUp, containersOf, env, newApp, versionOn } from "./support";

jest.setTimeout(120_000);

const COMMANDS = {
  deploy: registerDeploy,
  rollback: registerRollback,
  ps: registerPs,
  logs: registerLogs,
  stop: registerStop,
};

/** Run powertrain as its binary would; returns the exit code, stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (f: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        f(chunk.toString());
        done();
      },
    });
  const ctx: CliContext = { logger: new StreamLogger(sink((s) => (err += s))), out: sink((s) => (out += s)) };
  const program = buildProgram(ctx);
  // Until the command list includes them, register the deploy commands here.
  for (const [name, register] of Object.entries(COMMANDS)) {
    if (!program.commands.some((c) => c.name() === name)) register(program, ctx);
  }
  let code = 0;
  try {
    await program.parseAsync(["node", "powertrain", ...args]);
  } catch (e) {
    code = reportError(e, ctx);
  }
  return { code, out, err };
}

describe("powertrain deploy / ps / rollback / logs / stop", () => {
  const app = newApp();
  const dir = tempDir("pt-deploy-cli-");
  const config = join(dir, "powertrain.yml");
  let flags: string[];
  let v1: string;
  let v2: string;

  beforeAll(async () => {
    [v1, v2] = await Promise.all([buildApp(app, "v1"), buildApp(app, "v2")]);
    const host = `${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}`;
    writeFileSync(
      config,
      [
        `name: ${app}`,
        "run:",
        "  instances: 2",
        '  ports: ["18300-18319:8080"]',
        "  health: { http: /healthz }",
        "  env: { GREETING: '${PT_TEST_GREETING}' }",
        "environments:",
        "  test:",
        `    hosts: ["${host}"]`,
        "    deploy: { keep: 1, health-timeout: 20s }",
        "",
      ].join("\n"),
    );
    flags = targetFlags(config);
    process.env.PT_TEST_GREETING = "hello $(world)";
  });
  afterAll(async () => {
    delete process.env.PT_TEST_GREETING;
    await cleanUp(app);
  });

  test("--dry-run --json prints the plan and touches nothing", async () => {
    const { out } = await cli(["deploy", v1, ...flags, "--dry-run", "--json", "--bind-address", "127.0.0.1"]);
    const report = JSON.parse(out);
    expect(report.hosts[0].status).toBe("planned");
    expect(report.hosts[0].plan.start).toHaveLength(2);
    expect(report.hosts[0].plan.start[0].ports).toEqual([18300]);
    expect(await containersOf(app)).toEqual([]);
  });

  test("deploy, then ps --json shows the version, ports and health", async () => {
    const { out } = await cli(["deploy", v1, ...flags, "--json", "--bind-address", "127.0.0.1"]);
    const report = JSON.parse(out);
    expect(report.deployed).toHaveLength(2);
    for (const d of report.deployed) expect(await versionOn(d.port)).toBe("v1");
    const ps = JSON.parse((await cli(["ps", ...flags, "--json"])).out);
    expect(ps.map((c: { version: string; state: string }) => `${c.version} ${c.state}`)).toEqual([
      "v1 running",
      "v1 running",
    ]);
    expect(ps[0].uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  test("a missing ${NAME} is one clear error", async () => {
    delete process.env.PT_TEST_GREETING;
    const { code, err } = await cli(["deploy", v2, ...flags]);
    expect(code).toBe(2);
    expect(err).toBe(
      "error: env references a variable that is not set: PT_TEST_GREETING\nhint: set them in the deploy step's environment (for secrets, from the CI secret store)\n",
    );
    process.env.PT_TEST_GREETING = "hello $(world)";
  });

  test("a failing deploy exits 1 with the reason", async () => {
    const { code, err } = await cli(["deploy", v2, ...flags, "--hosts", `${env.ssh.user}@127.0.0.1:1`]);
    expect(code).toBe(1);
    expect(err).toMatch(/deploy of v2 failed: ssh to .*127\.0\.0\.1:1 failed: .*Connection refused/);
  });

  test("redeploy then rollback (table output)", async () => {
    expect((await cli(["deploy", v2, ...flags, "--bind-address", "127.0.0.1"])).code).toBe(0);
    const { out } = await cli(["rollback", ...flags]);
    expect(out).toMatch(/v2 → v1\t\(restart\)/);
    const running = (await containersOf(app)).filter((c) => c.state === "running");
    expect(running.map((c) => c.version)).toEqual(["v1", "v1"]);
  });

  test("logs runs against every host; stop stops every serving container", async () => {
    await cli(["logs", ...flags, "--tail", "5"]);
    const stopped = JSON.parse((await cli(["stop", ...flags, "--json"])).out);
    expect(stopped).toHaveLength(2);
    expect((await containersOf(app)).filter((c) => c.state === "running")).toEqual([]);
  });
});
