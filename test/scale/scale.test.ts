/**
 * `scale` on a real host behind the test nginx: up 2→4 through the health gate, down 4→1 under a
 * constant load with zero failed requests, the next deploy keeping the count, a new instance that
 * fails its health check never routed, nothing deployed a clear error; and the CLI's --dry-run --json.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sshEngine } from "../../packages/core/src/deploy/engine";
import { deploy } from "../../packages/core/src/deploy/rollout";
import { exec } from "../../packages/core/src/exec/exec";
import { containersOf, failure } from "../deploy/support";
import { runCli, targetFlags } from "../support/cli";
import { tempDir, uniqueName } from "../support/helpers";
import { startLoad } from "../traffic/load";
import {
  buildApp,
  cleanUpTraffic,
  env,
  nginx,
  request,
  trafficEnvironment,
  upstreamHost,
} from "../traffic/support";

jest.setTimeout(240_000);

const running = async (app: string, version?: string) =>
  (await containersOf(app)).filter((c) => c.state === "running" && (!version || c.version === version));

/** The ports the app's nginx upstream file lists. */
function upstreamPorts(app: string): number[] {
  const text = readFileSync(`${nginx().confDir}/powertrain/${upstreamHost(app)}.conf`, "utf8");
  return [...text.matchAll(/server [\d.]+:(\d+)/g)].map((m) => Number(m[1])).sort();
}

async function publishedPorts(app: string): Promise<number[]> {
  const ports: number[] = [];
  for (const c of await running(app)) {
    const r = await exec("docker", ["port", c.name, "8080/tcp"]);
    ports.push(Number(r.stdout.trim().split("\n")[0]!.split(":").at(-1)));
  }
  return ports.sort();
}

describe("scale without a redeploy", () => {
  const app = uniqueName("pt-test-scale");
  const ports = { from: 27400, to: 27439 };
  const environment = () => trafficEnvironment(app, ports);
  const ops = () => ({ ...request(environment(), "unused"), environment: environment() });
  let v1: string;
  let v2: string;

  beforeAll(async () => {
    nginx();
    [v1, v2] = await Promise.all([buildApp(app, "v1"), buildApp(app, "v2")]);
  });
  afterAll(() => cleanUpTraffic(app));

  test("nothing deployed: a clear error, nothing started", async () => {
    const err = await failure(sshEngine.scale({ ...ops(), instances: 3 }));
    expect(err.message).toMatch(/nothing of pt-test-scale-\S+ runs in test here to scale/);
    expect(await containersOf(app)).toEqual([]);
  });

  test("up 2→4: the new instances pass the health gate, then nginx routes to all four", async () => {
    await deploy(request(environment(), v1));
    const [r] = await sshEngine.scale({ ...ops(), instances: 4 });
    expect(r).toMatchObject({ version: "v1", from: 2, to: 4 });
    expect(r!.started).toHaveLength(2);
    expect(await running(app, "v1")).toHaveLength(4);
    expect(upstreamPorts(app)).toEqual(await publishedPorts(app));
    expect(upstreamPorts(app)).toHaveLength(4);
  });

  test("the next deploy keeps 4", async () => {
    const report = await deploy(request(environment(), v2));
    expect(report.deployed).toHaveLength(4);
    expect(await running(app, "v2")).toHaveLength(4);
    expect(await running(app, "v1")).toHaveLength(0);
  });

  test("down 4→1 under load: zero failed requests, one instance left and routed", async () => {
    const load = startLoad({
      port: nginx().port,
      host: upstreamHost(app),
      concurrency: 4,
      maxRequests: 20_000,
      maxMs: 60_000,
    });
    let results: Awaited<ReturnType<typeof sshEngine.scale>> = [];
    try {
      results = await sshEngine.scale({ ...ops(), instances: 1 });
    } finally {
      await new Promise((r) => setTimeout(r, 300));
    }
    const during = await load.stop();
    expect({ failed: during.failed, errors: during.errors }).toEqual({ failed: 0, errors: [] });
    expect(Object.keys(during.byBody)).toEqual(["v2"]);
    expect(during.sent).toBeGreaterThan(20);
    expect(results[0]).toMatchObject({ from: 4, to: 1 });
    expect(await running(app)).toHaveLength(1);
    expect((await containersOf(app)).filter((c) => c.version === "v2")).toHaveLength(1);
    expect(upstreamPorts(app)).toEqual(await publishedPorts(app));
  });

  test("the CLI: --dry-run --json says what would change and changes nothing", async () => {
    const dir = tempDir("pt-scale-cli-");
    const file = join(dir, "powertrain.yml");
    const n = nginx();
    writeFileSync(
      file,
      [
        `name: ${app}`,
        "run:",
        `  instances: 2`,
        `  ports: ["${ports.from}-${ports.to}:8080"]`,
        "  health: { http: /healthz }",
        "environments:",
        "  test:",
        `    hosts: ["${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}"]`,
        `    deploy: { router: { type: nginx, conf-dir: ${n.confDir}, nginx: ${n.binary}, nginx-config: ${n.conf} } }`,
        "",
      ].join("\n"),
    );
    const before = await running(app);
    const r = await runCli("scale", "3", ...targetFlags(file), "--dry-run", "--json");
    expect(r.stderr).toContain("scale v2 from");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { hosts: { planned: boolean; to: number; version: string }[] };
    expect(out.hosts[0]).toMatchObject({ planned: true, to: 3, version: "v2" });
    expect((await running(app)).map((c) => c.name)).toEqual(before.map((c) => c.name));

    const bad = await runCli("scale", "zero", "-e", "test", "-c", file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("<instances>: expected a whole number");
  });
});
