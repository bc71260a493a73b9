/**
 * The swarm engine against the real single-node swarm that ./scripts/setup
 * makes of the local dockerd: create, a zero-downtime update under load, a
 * failing update that Swarm rolls back (and we report as a failure), Swarm's
 * rollback, and status — locally and through a manager reached over SSH.
 */

import { RolloutError } from "../../packages/core/src/deploy/rollout";
import { engineFor } from "../../packages/core/src/engine";
import { exec } from "../../packages/core/src/exec/exec";
import { StreamLogger } from "../../packages/core/src/log";
import {
  swarmDeploy as deploy,
  removeService,
  swarmRollback as rollback,
  swarmStatus as status,
} from "../../packages/core/src/swarm";
import { serviceName, swarmSettings } from "../../packages/core/src/swarm/spec";
import { checkServices } from "../support/env";
import {
  buildApp,
  cleanup,
  environment,
  get,
  inspectService,
  load,
  newApp,
  quiet,
  registryAuth,
  runningPorts,
  sshOptions,
  sshTarget,
  startBalancer,
} from "./support";

jest.setTimeout(180_000);

const app = newApp();
const service = serviceName(app, "test");
const images: Record<string, string> = {};
const SECRET = "s3cret-Token-value-9f2c";
const envSource = { PT_SWARM_TOKEN: SECRET };
const run = {
  ...environment(app).run,
  env: { GREETING: "hello", TOKEN: "${PT_SWARM_TOKEN}" },
};
const env = { ...environment(app), run };
const base = {
  environment: env,
  ssh: {},
  logger: quiet,
  registryAuth: registryAuth(),
  envSource,
  pollMs: 250,
};

beforeAll(async () => {
  await checkServices();
  const swarm = await exec("docker", ["info", "--format", "{{.Swarm.LocalNodeState}}"]);
  if (swarm.stdout.trim() !== "active")
    throw new Error("the local dockerd is not a swarm — run ./scripts/setup");
  for (const v of ["v1", "v2", "v3"]) images[v] = await buildApp(app, v);
  images.broken = await buildApp(app, "broken", { healthy: false });
});

afterAll(async () => {
  await cleanup(
    [service],
    Object.values(images).map((i) => i.replace(/@.*$/, "")),
  );
});

async function bodies(path = "/"): Promise<string[]> {
  const ports = await runningPorts(service);
  return Promise.all(ports.map((p) => get(`http://127.0.0.1:${p}${path}`)));
}

test("create: the service runs the configured replicas, env as env, the secret as a Swarm secret", async () => {
  const report = await deploy({ ...base, image: images.v1! });
  expect(report.hosts).toEqual([
    expect.objectContaining({ host: "local docker", status: "deployed", version: "v1" }),
  ]);
  expect(report.deployed).toHaveLength(2);
  expect(report.deployed.every((d) => d.port! >= 21100 || d.port! > 0)).toBe(true);
  expect(await bodies()).toEqual(["v1", "v1"]);
  expect(await bodies("/greeting")).toEqual(["hello", "hello"]);
  expect(await bodies("/token")).toEqual([SECRET, SECRET]);
  const spec = await inspectService(service);
  expect(spec).not.toContain(SECRET);
  expect(spec).toContain("TOKEN_FILE=/run/secrets/TOKEN");
  expect(spec).toContain('"dev.powertrain.version": "v1"');
});

test("a second deploy of the same image and config changes nothing", async () => {
  const report = await deploy({ ...base, image: images.v1! });
  expect(report.hosts[0]!.status).toBe("unchanged");
});

test("update by digest under load: start-first, zero failed requests", async () => {
  const lb = await startBalancer(service);
  try {
    const traffic = load(lb.url);
    await new Promise((r) => setTimeout(r, 500));
    const report = await deploy({ ...base, image: images.v2! });
    await new Promise((r) => setTimeout(r, 500));
    const result = await traffic.stop();
    expect(result.failed).toEqual([]);
    expect(result.ok).toBeGreaterThan(20);
    expect(report.previousVersion).toBe("v1");
    expect(report.hosts[0]!.status).toBe("deployed");
    expect(await bodies()).toEqual(["v2", "v2"]);
    expect(await get(lb.url)).toBe("v2");
  } finally {
    await lb.close();
  }
});

test("a failing update (health check fails) is rolled back by Swarm and reported as a failure", async () => {
  const lines: string[] = [];
  const logger = new StreamLogger({
    write: (t: string) => lines.push(t),
  } as unknown as NodeJS.WritableStream);
  const error = await deploy({ ...base, logger, image: images.broken! }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(RolloutError);
  const message = (error as RolloutError).message;
  expect(message).toMatch(/update to broken failed: Swarm rolled the update back/);
  expect(message).toMatch(/serves v2 again/);
  expect((error as RolloutError).report.hosts[0]).toMatchObject({ status: "failed", version: "v2" });
  // Progress was reported per task while it happened.
  expect(lines.join("")).toMatch(new RegExp(`${service}\\.\\d broken on \\S+: starting`));
  expect(await bodies()).toEqual(["v2", "v2"]);
});

test("rollback: Swarm's own rollback, waited for", async () => {
  // After the automatic rollback the previous spec is the broken one; deploy v3 to roll back from.
  await deploy({ ...base, image: images.v3! });
  const results = await rollback({ environment: env, ssh: {}, logger: quiet, pollMs: 250 });
  expect(results).toEqual([expect.objectContaining({ method: "swarm-rollback", from: "v3", to: "v2" })]);
  expect(results[0]!.instances).toHaveLength(2);
  expect(await bodies()).toEqual(["v2", "v2"]);
  await expect(rollback({ environment: env, ssh: {}, logger: quiet, to: "v1" })).rejects.toThrow(
    /keeps only the previous spec \(v3\), not v1/,
  );
});

test("status over SSH: tasks per node with version, health and state", async () => {
  const rows = await status({
    environment: { ...env, hosts: [sshTarget()] },
    ssh: sshOptions(),
    logger: quiet,
  });
  expect(rows).toHaveLength(2);
  for (const row of rows) {
    expect(row).toMatchObject({ state: "running", health: "healthy", version: "v2" });
    expect(row.container).toMatch(new RegExp(`^${service}\\.[12]$`));
    expect(row.ports).toHaveLength(1);
    expect(row.host).not.toBe("-");
  }
});

test("through the engine seam: logs of every task, a canary refused, stop scales to 0 and a deploy brings it back", async () => {
  const environment = {
    ...env,
    deploy: { ...env.deploy, engine: "swarm" as const, swarm: swarmSettings(env) },
  };
  const engine = engineFor(environment);
  expect(engine.name).toBe("swarm");
  const request = { environment, ssh: {}, logger: quiet };
  const lines: string[] = [];
  // busybox httpd logs nothing: the call succeeds, and whatever comes is prefixed by the manager.
  await engine.logs({ ...request, tail: 5 }, (line) => lines.push(line));
  expect(lines.every((l) => l.startsWith("local docker "))).toBe(true);
  await expect(engine.promoteCanary(request)).rejects.toThrow(/engine swarm has no canary/);

  const stopped = await engine.stop(request);
  expect(stopped.map((s) => s.state)).toEqual(["exited", "exited"]);
  expect(await runningPorts(service)).toEqual([]);
  await deploy({ ...base, image: images.v2! });
  expect(await bodies()).toEqual(["v2", "v2"]);
});

test("removeService takes the service and its secrets away", async () => {
  await removeService({ environment: env, ssh: {}, logger: quiet });
  await expect(status({ environment: env, ssh: {}, logger: quiet })).rejects.toThrow(/no such service/);
  const swarm = { ...env, deploy: { ...env.deploy, engine: "swarm" as const, swarm: swarmSettings(env) } };
  const request = { environment: swarm, ssh: {}, logger: quiet };
  await expect(engineFor(swarm).logs({ ...request, tail: 5 }, () => {})).rejects.toThrow(/no such service/);
  await expect(engineFor(swarm).stop(request)).rejects.toThrow(/no such service .*nothing to stop/);
});
