/**
 * The entry points wait for the verdict: `powertrain deploy` of a canary with
 * deploy.canary.analysis prints its progress, aborts a failing canary and exits 1 with the old
 * version serving; the ssh-deploy action promotes a healthy one and reports it in its outputs and
 * job summary (the verdict, the table, mermaid charts of both versions). Through a real nginx
 * under load, as in analysis.test.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main as sshDeploy } from "../../actions/ssh-deploy/src/main";
import { deploy } from "../../packages/core/src/deploy/rollout";
import type { DeployEnvironment } from "../../packages/core/src/deploy/types";
import { cleanUp } from "../deploy/support";
import { recordingLogger } from "../registry/support/logger";
import { readOutputs } from "../support/action-outputs";
import { runCli, targetFlags } from "../support/cli";
import { tempDir, uniqueName } from "../support/helpers";
import { type Load, startLoad } from "../traffic/load";
import { env, request, trafficEnvironment, upstreamHost } from "../traffic/support";
import { buildBehavingApp, routedTo, startNginx, type TestNginx } from "./support";

jest.setTimeout(240_000);

const savedEnv = { ...process.env };

describe("deploy waits for the canary's verdict", () => {
  const app = uniqueName("pt-test-canary-deploy");
  const dir = tempDir("pt-canary-deploy-");
  const config = join(dir, "powertrain.yml");
  let n: TestNginx;
  let v1: string;
  let failing: string;
  let healthy: string;
  let load: Load | undefined;

  beforeAll(async () => {
    n = await startNginx();
    [v1, failing, healthy] = await Promise.all([
      buildBehavingApp(app, "v1", { delayMs: 10 }),
      buildBehavingApp(app, "v2-failing", { delayMs: 10, failEvery: 5 }),
      buildBehavingApp(app, "v3-healthy", { delayMs: 10 }),
    ]);
    writeFileSync(
      config,
      [
        `name: ${app}`,
        "run:",
        "  instances: 2",
        '  ports: ["23500-23599:8080"]',
        "  health: { http: /healthz }",
        "environments:",
        "  test:",
        `    hosts: ["${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}"]`,
        "    deploy:",
        `      router: { type: nginx, conf-dir: ${n.confDir}, nginx: ${n.binary}, nginx-config: ${n.conf} }`,
        "      drain: 500ms",
        "      canary:",
        "        share: 25%",
        "        analysis: { duration: 6s, interval: 2s, max-error-rate: 5%, max-latency-ratio: 3, min-requests: 20 }",
        "",
      ].join("\n"),
    );
  });
  afterEach(async () => {
    await load?.stop();
    process.env = { ...savedEnv };
  });
  afterAll(async () => {
    await cleanUp(app);
    await n?.stop();
  });

  /** v1 alone behind nginx, and a load loop through it. */
  async function v1UnderLoad(): Promise<void> {
    const base: DeployEnvironment = routedTo(trafficEnvironment(app, { from: 23500, to: 23599 }), n);
    await deploy({ ...request(base, v1, { hostScope: false }), strategy: "rolling" });
    load = startLoad({
      port: n.port,
      host: upstreamHost(app),
      concurrency: 4,
      maxRequests: 100_000,
      maxMs: 90_000,
    });
  }

  const flags = () => targetFlags(config);

  test("powertrain deploy: a failing canary is aborted, with progress lines, exit 1, the old version serving", async () => {
    await v1UnderLoad();
    const r = await runCli(
      "deploy",
      failing,
      "--strategy",
      "canary",
      "--bind-address",
      "127.0.0.1",
      ...flags(),
    );
    const l = await load!.stop();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/analysing canary v2-failing on 1 host\(s\) for 6s, a check every 2s/);
    expect(r.stderr).toMatch(/check 1 at 2(\.\d)?s: canary v2-failing: \d+ req, [\d.]+% errors/);
    expect(r.stderr).toMatch(/canary v2-failing: fail \(error rate .*\) → abort/);
    expect(r.stderr).toMatch(/failed its analysis .*it was aborted, the old version serves/);
    expect(r.stdout).toContain("canary v2-failing\tfail\tabort\n");
    expect(Object.keys(l.failuresByError)).toEqual(["HTTP 500: v2-failing failed"]);
    const ps = JSON.parse((await runCli("ps", ...flags(), "--json")).stdout) as { version: string }[];
    expect(ps.map((c) => c.version)).toEqual(["v1", "v1"]);
  });

  test("the ssh-deploy action promotes a healthy canary and reports the verdict", async () => {
    await v1UnderLoad();
    const files = { output: join(dir, "output"), state: join(dir, "state"), summary: join(dir, "summary") };
    for (const f of Object.values(files)) writeFileSync(f, "");
    mkdirSync(join(dir, "runner"), { recursive: true });
    Object.assign(process.env, {
      GITHUB_OUTPUT: files.output,
      GITHUB_STATE: files.state,
      GITHUB_STEP_SUMMARY: files.summary,
      RUNNER_TEMP: join(dir, "runner"),
      INPUT_IMAGE: healthy,
      "INPUT_CONFIG-FILE": config,
      INPUT_ENVIRONMENT: "test",
      INPUT_STRATEGY: "canary",
      "INPUT_SSH-KEY": readFileSync(env.ssh.key, "utf8"),
      "INPUT_KNOWN-HOSTS": readFileSync(env.ssh.knownHosts, "utf8"),
      "INPUT_BIND-ADDRESS": "127.0.0.1",
    });
    const logger = recordingLogger();
    await sshDeploy({ logger });
    const l = await load!.stop();
    const outputs = readOutputs(files.output);
    expect({ verdict: outputs["canary-verdict"], action: outputs["canary-action"] }).toEqual({
      verdict: "pass",
      action: "promote",
    });
    const report = JSON.parse(outputs["canary-report"]!);
    expect(report.checks).toHaveLength(3);
    expect(report.total.canary.requests).toBeGreaterThanOrEqual(20);
    expect(logger.text()).toMatch(/check 3 at 6(\.\d)?s: .* → pass/);
    const summary = readFileSync(files.summary, "utf8");
    expect(summary).toContain("Canary analysis: pass → promote");
    expect(summary).toMatch(/\| canary v3-healthy \| \d+ \| 0 \| 0% \|/);
    expect(summary.match(/```mermaid/g)).toHaveLength(2);
    expect(summary).toContain("canary v3-healthy");
    expect(l.failed).toBe(0);
  });
});
