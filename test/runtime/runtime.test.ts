/**
 * run's runtime options on a real host: resolved from powertrain.yml, deployed over SSH, and read
 * back with `docker inspect` — and a hardened app (read-only root, no capabilities, a /tmp tmpfs)
 * still passes its health gate.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../packages/core/src/config/load";
import { resolveEnvironment } from "../../packages/core/src/config/resolve";
import { deploy } from "../../packages/core/src/deploy/rollout";
import type { DeployRunConfig } from "../../packages/core/src/deploy/types";
import { exec } from "../../packages/core/src/exec/exec";
import {
  buildApp,
  cleanUp,
  containersOf,
  env,
  environment,
  request,
  runConfig,
  versionOn,
} from "../deploy/support";
import { buildAndPush, tempDir, uniqueName } from "../support/helpers";

jest.setTimeout(180_000);

/** The runtime options of a powertrain.yml run section, resolved as a deploy gets them (the fixture sets the rest). */
function runOf(yaml: string): Partial<DeployRunConfig> {
  const { instances, ports, env, volumes, labels, stopTimeoutMs, init, restart, ...runtime } =
    resolveEnvironment(parseConfig(`name: app\nrun:\n${yaml}`, "powertrain.yml")).run;
  return runtime;
}

// biome-ignore lint/suspicious/noExplicitAny: docker inspect JSON
async function inspect(name: string): Promise<any> {
  return JSON.parse((await exec("docker", ["inspect", name])).stdout)[0];
}

const running = async (app: string) => (await containersOf(app)).filter((c) => c.state === "running");

describe("runtime options on a real host", () => {
  const app = uniqueName("pt-test-runtime");
  afterAll(() => cleanUp(app));

  test("every option shows in docker inspect, and the hardened instance passes its health gate", async () => {
    const image = await buildApp(app, "v1");
    const run = runOf(`
  hardened: true
  cap-add: [NET_BIND_SERVICE]
  tmpfs: ["/run:size=1m"]
  log-driver: json-file
  log-options: { max-size: 1m, max-file: 2 }
  extra-hosts: { db.internal: 10.1.2.3 }
  ulimits: { nofile: "1024:2048" }
  pids-limit: 64
  workdir: /www
  hostname: runtime-test
  dns: [10.1.2.53]
  sysctls: { net.core.somaxconn: 512 }
`);
    const environmentOf = environment(app, runConfig({ from: 27300, to: 27319 }, { ...run, instances: 1 }));
    const report = await deploy(request(environmentOf, image));
    const [c] = await running(app);
    expect(c).toBeDefined();
    const info = await inspect(c!.name);
    const hc = info.HostConfig;
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.CapDrop).toEqual(["ALL"]);
    expect(hc.CapAdd).toEqual(["CAP_NET_BIND_SERVICE"]);
    expect(hc.SecurityOpt).toEqual(["no-new-privileges"]);
    expect(hc.Tmpfs).toEqual({ "/tmp": "mode=1777", "/run": "size=1048576" });
    expect(hc.LogConfig).toEqual({ Type: "json-file", Config: { "max-size": "1m", "max-file": "2" } });
    expect(hc.ExtraHosts).toEqual(["db.internal:10.1.2.3"]);
    expect(hc.Ulimits).toEqual([{ Name: "nofile", Soft: 1024, Hard: 2048 }]);
    expect(hc.PidsLimit).toBe(64);
    expect(hc.Dns).toEqual(["10.1.2.53"]);
    expect(hc.Sysctls).toEqual({ "net.core.somaxconn": "512" });
    expect(info.Config.Hostname).toBe("runtime-test");
    expect(info.Config.WorkingDir).toBe("/www");
    // The health gate passed and the app serves; the root is read-only, /tmp is not.
    expect(await versionOn(report.deployed[0]!.port!)).toBe("v1");
    const root = await exec("docker", ["exec", c!.name, "touch", "/written"], { allowFailure: true });
    expect(root.exitCode).not.toBe(0);
    expect(root.stderr).toMatch(/Read-only file system/i);
    await exec("docker", ["exec", c!.name, "touch", "/tmp/written"]);
  });
});

describe("a hardened node app", () => {
  const app = uniqueName("pt-test-hardened");
  afterAll(() => cleanUp(app));

  test("runs as node with a read-only root and passes its health gate, writing only to /tmp", async () => {
    const dir = tempDir("pt-hardened-");
    // Like the test fixtures' node app, plus a scratch file in /tmp at start-up, as many apps do.
    writeFileSync(
      join(dir, "server.js"),
      [
        'const { writeFileSync } = require("node:fs");',
        'writeFileSync("/tmp/started", String(process.pid));',
        'require("node:http").createServer((req, res) => res.end(req.url === "/healthz" ? "ok" : "hardened")).listen(8080);',
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "Dockerfile"),
      [
        `FROM ${env.images.node}`,
        "WORKDIR /app",
        "COPY server.js ./",
        "USER node",
        'CMD ["node", "server.js"]',
        "",
      ].join("\n"),
    );
    const image = await buildAndPush(env, dir, `${env.registry.host}/${app}/app:v1`);
    const environmentOf = environment(
      app,
      runConfig({ from: 27320, to: 27339 }, { ...runOf("  hardened: true\n"), instances: 2 }),
    );
    const report = await deploy(request(environmentOf, image));
    expect(report.deployed).toHaveLength(2);
    for (const d of report.deployed) expect(await versionOn(d.port!)).toBe("hardened");
    const [c] = await running(app);
    const info = await inspect(c!.name);
    expect(info.HostConfig).toMatchObject({
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
    });
    expect((await exec("docker", ["exec", c!.name, "cat", "/tmp/started"])).stdout.trim()).toMatch(/^\d+$/);
  });
});
