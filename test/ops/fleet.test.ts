/**
 * The fleet view against the real test hosts (127.0.0.1 and 127.0.0.2, one shared Docker engine,
 * hence host scope): two environments, one of them drifted, and a host nothing answers on.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deploy } from "../../packages/core/src/deploy/rollout";
import { silentLogger } from "../../packages/core/src/log";
import { fleetStatus } from "../../packages/core/src/ops/fleet";
import { cleanUp, env, environment, newApp, request, runConfig, sshOptions } from "../deploy/support";
import { runCli, targetFlags } from "../support/cli";
import { tempDir } from "../support/helpers";
import { buildLabelledApp } from "./support";

jest.setTimeout(180_000);

const C1 = "1".repeat(40);
const C2 = "2".repeat(40);
const nowhere = { host: "127.0.0.1", user: env.ssh.user, port: 1 };

describe("fleet view on real hosts", () => {
  const app = newApp();
  let v1: string;
  let v2: string;

  beforeAll(async () => {
    [v1, v2] = await Promise.all([buildLabelledApp(app, "v1", C1), buildLabelledApp(app, "v2", C2)]);
  });
  afterAll(() => cleanUp(app));

  test("two environments, a drift, an unreachable host and a Swarm environment asked once", async () => {
    const qa = { ...environment(app, runConfig({ from: 18700, to: 18719 }), 2), name: "qa" };
    const prod = {
      ...environment(app, runConfig({ from: 18720, to: 18739 }, { instances: 1 }), 2),
      name: "prod",
    };
    await deploy(request(qa, v2));
    await deploy(request(prod, v1));
    // One prod host moves on alone: drift.
    await deploy(request(prod, v2, { hosts: [prod.hosts[1]!] }));

    // A Swarm environment is asked once, through a manager, whatever its host count.
    const swarm = {
      ...environment(app, runConfig({ from: 18750, to: 18759 })),
      name: "edge",
      hosts: [nowhere, { ...nowhere, host: "127.0.0.2" }],
      deploy: { ...qa.deploy, engine: "swarm" as const },
    };
    const fleet = await fleetStatus({
      environments: [qa, { ...prod, hosts: [...prod.hosts, nowhere] }, swarm],
      ssh: sshOptions(),
      hostScope: true,
      logger: silentLogger,
    });

    const [qaView, prodView] = fleet;
    expect(qaView).toMatchObject({ name: "qa", drift: false, versions: ["v2"] });
    for (const row of qaView!.rows)
      expect(row).toMatchObject({
        state: "ok",
        version: "v2",
        commit: C2,
        healthy: 2,
        total: 2,
        drift: false,
      });
    expect(prodView).toMatchObject({ name: "prod", drift: true, versions: ["v1", "v2"] });
    // A tie (one host each): both are flagged; the dead host is a row of its own, not a failure.
    expect(prodView!.rows.map((r) => [r.host, r.state, r.version, r.commit, r.drift])).toEqual([
      [`${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}`, "ok", "v1", C1, true],
      [`${env.ssh.user}@${env.ssh.hosts[1]}:${env.ssh.port}`, "ok", "v2", C2, true],
      [`${env.ssh.user}@127.0.0.1:1`, "unreachable", undefined, undefined, false],
    ]);
    expect(prodView!.rows[2]!.error).toMatch(/Connection refused/);
    expect(prodView!.rows[0]!.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(fleet[2]!.rows.map((r) => [r.host, r.state])).toEqual([
      [`swarm via ${env.ssh.user}@127.0.0.1:1, ${env.ssh.user}@127.0.0.2:1`, "unreachable"],
    ]);
  });

  test("powertrain status without --env: every environment of powertrain.yml, table and --json", async () => {
    const dir = tempDir("pt-ops-fleet-");
    const config = join(dir, "powertrain.yml");
    const host = `${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}`;
    writeFileSync(
      config,
      [
        `name: ${app}`,
        "run: { instances: 1, ports: ['18740-18749:8080'], health: { http: /healthz } }",
        "environments:",
        `  web: { hosts: ["${host}", "${env.ssh.user}@127.0.0.1:1"] }`,
        "  empty: {}",
        "",
      ].join("\n"),
    );
    const flags = targetFlags(config, null);
    const deployed = await runCli(
      "deploy",
      v1,
      "-e",
      "web",
      ...flags,
      "--hosts",
      host,
      "--bind-address",
      "127.0.0.1",
    );
    expect(deployed.code).toBe(0);

    const json = await runCli("status", ...flags, "--json");
    expect(json.code).toBe(0);
    const { environments } = JSON.parse(json.stdout);
    // An environment without hosts has nowhere to look and is left out.
    expect(environments.map((e: { name: string }) => e.name)).toEqual(["web"]);
    expect(
      environments[0].rows.map((r: { state: string; version?: string; healthy: number; total: number }) => [
        r.state,
        r.version,
        r.healthy,
        r.total,
      ]),
    ).toEqual([
      ["ok", "v1", 1, 1],
      ["unreachable", undefined, 0, 0],
    ]);

    const table = await runCli("status", ...flags);
    expect(table.stdout).toMatch(
      new RegExp(`^web\\s+${host.replace(/\./g, "\\.")}\\s+v1\\s+1111111\\s+\\S+\\s+1/1\\s*$`, "m"),
    );
    expect(table.stdout).toMatch(/^web\s+\S+@127\.0\.0\.1:1\s+unreachable\s/m);
    expect(table.stderr).toMatch(/unreachable/);

    // With --env it is ps.
    const ps = JSON.parse((await runCli("status", "-e", "web", ...flags, "--hosts", host, "--json")).stdout);
    expect(ps.map((c: { version: string; commit?: string }) => [c.version, c.commit])).toEqual([["v1", C1]]);
  });
});
