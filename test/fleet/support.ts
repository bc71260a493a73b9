/**
 * Fixtures for deploys to the fleet (scripts/lib/fleet.sh): isolated Docker hosts, each its own
 * network namespace, engine, sshd and deploy user. Images are pushed to the test registry as the
 * other tests do and pulled by the engines through the address the fleet reaches it at; what a
 * deploy left on a host is read from that host's engine directly, not through the deploy's eyes.
 */
import type { DeployRequest } from "../../packages/core/src/deploy/rollout";
import type { DeployEnvironment, DeployRunConfig } from "../../packages/core/src/deploy/types";
import { exec } from "../../packages/core/src/exec/exec";
import { silentLogger } from "../../packages/core/src/log";
import { SshSession } from "../../packages/core/src/ssh/session";
import type { SshTarget } from "../../packages/core/src/ssh/target";
import { type AppContainer, containersOf } from "../deploy/support";
import { type FleetEnv, type FleetHost, fleetEnv, type TestEnv, testEnv } from "../support/env";
import { removeImagesOf } from "../support/helpers";

export const env: TestEnv = testEnv();
export const fleet: FleetEnv = fleetEnv(env, 4);

export const target = (h: FleetHost): SshTarget => ({ host: h.host, user: h.user, port: h.port });

/** The same pushed image, named by the registry address the fleet pulls from. */
export function fleetImage(ref: string): string {
  if (!ref.startsWith(`${env.registry.host}/`)) throw new Error(`${ref} is not in the test registry`);
  return `${fleet.registry}/${ref.slice(env.registry.host.length + 1)}`;
}

export function fleetEnvironment(
  app: string,
  run: DeployRunConfig,
  hosts: FleetHost[],
  deploy: Partial<DeployEnvironment["deploy"]> = {},
): DeployEnvironment {
  return {
    name: "test",
    app,
    hosts: hosts.map(target),
    deploy: {
      strategy: "rolling",
      maxParallel: 1,
      keep: 1,
      healthTimeoutMs: 15_000,
      lockTimeoutMs: 30_000,
      ...deploy,
    },
    run,
  };
}

export const fleetSsh = () => ({ identityFile: env.ssh.key, knownHostsFile: fleet.knownHosts });

/** A request to the fleet: real engines, so no hostScope; published on the namespace address. */
export function fleetRequest(
  environment: DeployEnvironment,
  image: string,
  extra: Partial<DeployRequest> = {},
): DeployRequest {
  return {
    environment,
    image: fleetImage(image),
    ssh: fleetSsh(),
    registryAuth: { registry: fleet.registry, username: env.registry.user, password: env.registry.password },
    bindAddress: "0.0.0.0",
    logger: silentLogger,
    ...extra,
  };
}

export const docker = (h: FleetHost, args: string[], allowFailure = false) =>
  exec("docker", ["-H", h.socket, ...args], { allowFailure });

export async function engineId(h: FleetHost): Promise<string> {
  return (await docker(h, ["info", "--format", "{{.ID}}"])).stdout.trim();
}

/** The app's containers on one host's engine: name, state, version. */
export function containersOn(h: FleetHost, app: string): Promise<AppContainer[]> {
  return containersOf(app, h.socket);
}

/** Versions of the app's running containers on a host, sorted. */
export async function runningVersions(h: FleetHost, app: string): Promise<string[]> {
  return (await containersOn(h, app))
    .filter((c) => c.state === "running")
    .map((c) => c.version)
    .sort();
}

/** Body of GET / at a host's namespace address, or undefined when nothing answers 200. */
export async function versionAt(h: FleetHost, port: number): Promise<string | undefined> {
  try {
    const r = await fetch(`http://${h.host}:${port}/`, { signal: AbortSignal.timeout(3000) });
    return r.ok ? (await r.text()).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the app from every fleet host: containers, images, locks and history. */
export async function cleanUpFleet(app: string, hosts: FleetHost[] = fleet.hosts): Promise<void> {
  await Promise.all(
    hosts.map(async (h) => {
      const ids = (await docker(h, ["ps", "-aq", "--filter", `label=dev.powertrain.app=${app}`], true)).stdout
        .split("\n")
        .filter(Boolean);
      if (ids.length) await docker(h, ["rm", "-f", ...ids], true);
      await removeImagesOf(`${fleet.registry}/${app}/app`, h.socket);
    }),
  );
  const session = await SshSession.create({ ...fleetSsh(), connectTimeoutSeconds: 5 });
  try {
    await Promise.all(
      hosts.map(async (h) => {
        const conn = await session.connect(target(h)).catch(() => undefined);
        await conn?.run(
          ["sh", "-c", 'rm -rf "$HOME/.powertrain/locks/$1".* "$HOME/.powertrain/$1".*', "sh", app],
          {
            allowFailure: true,
          },
        );
      }),
    );
  } finally {
    await session.close();
  }
}
