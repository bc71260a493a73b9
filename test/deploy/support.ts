/**
 * Fixtures for the deploy tests: a tiny HTTP app (busybox httpd serving its
 * version) built and pushed to the test registry, environments on the test
 * ssh hosts, and clean-up of everything an app left on the host.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeployRequest } from "../../packages/core/src/deploy/rollout";
import type { DeployEnvironment, DeployRunConfig } from "../../packages/core/src/deploy/types";
import { exec } from "../../packages/core/src/exec/exec";
import { silentLogger } from "../../packages/core/src/log";
import { type TestEnv, testEnv } from "../support/env";
import { buildAndPush, removeDeployedApp, tempDir, uniqueName } from "../support/helpers";

export const env: TestEnv = testEnv();

export function newApp(): string {
  return uniqueName("pt-test-deploy");
}

/**
 * Build the app at `version` and push it; returns the pinned reference. `healthy: false` has no
 * /healthz; `run` adds RUN lines after the content is copied in.
 */
export async function buildApp(
  app: string,
  version: string,
  o: { healthy?: boolean; run?: string[] } = {},
): Promise<string> {
  const dir = tempDir("pt-deploy-img-");
  mkdirSync(join(dir, "www"));
  writeFileSync(join(dir, "www", "index.html"), version);
  if (o.healthy !== false) writeFileSync(join(dir, "www", "healthz"), "ok");
  writeFileSync(
    join(dir, "Dockerfile"),
    [
      `FROM ${env.images.busybox}`,
      "COPY www /www",
      ...(o.run ?? []).map((line) => `RUN ${line}`),
      'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
      "",
    ].join("\n"),
  );
  return buildAndPush(env, dir, `${env.registry.host}/${app}/app:${version}`);
}

export function runConfig(
  ports: { from: number; to: number },
  extra: Partial<DeployRunConfig> = {},
): DeployRunConfig {
  return {
    instances: 2,
    ports: [{ container: 8080, host: ports, protocol: "tcp" }],
    env: {},
    volumes: [],
    labels: {},
    health: { http: "/healthz" },
    stopTimeoutMs: 5000,
    init: true,
    restart: "no",
    ...extra,
  };
}

export function environment(app: string, run: DeployRunConfig, hosts = 1): DeployEnvironment {
  return {
    name: "test",
    app,
    hosts: env.ssh.hosts.slice(0, hosts).map((host) => ({ host, user: env.ssh.user, port: env.ssh.port })),
    deploy: { strategy: "rolling", maxParallel: 1, keep: 1, healthTimeoutMs: 15_000, lockTimeoutMs: 30_000 },
    run,
  };
}

export const sshOptions = () => ({ identityFile: env.ssh.key, knownHostsFile: env.ssh.knownHosts });

/** The parts of a DeployRequest every test shares: both test hosts share one Docker engine, hence hostScope. */
export function request(
  environment: DeployEnvironment,
  image: string,
  extra: Partial<DeployRequest> = {},
): DeployRequest {
  return {
    environment,
    image,
    ssh: sshOptions(),
    bindAddress: "127.0.0.1",
    hostScope: true,
    logger: silentLogger,
    ...extra,
  };
}

/** Body of GET / on a port, or undefined when nothing answers 200. */
export async function versionOn(port: number): Promise<string | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return r.ok ? (await r.text()).trim() : undefined;
  } catch {
    return undefined;
  }
}

export interface AppContainer {
  name: string;
  state: string;
  version: string;
}

/** Containers of an app on the (shared) engine, or on the engine `dockerHost` names (`-H`). */
export async function containersOf(app: string, dockerHost?: string): Promise<AppContainer[]> {
  const r = await exec("docker", [
    ...(dockerHost ? ["-H", dockerHost] : []),
    "ps",
    "-a",
    "--filter",
    `label=dev.powertrain.app=${app}`,
    "--format",
    '{{.Names}}\t{{.State}}\t{{.Label "dev.powertrain.version"}}',
  ]);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [name = "", state = "", version = ""] = l.split("\t");
      return { name, state, version };
    });
}

/** Remove the app's containers, images, locks and history. */
export function cleanUp(app: string): Promise<void> {
  return removeDeployedApp(env, app);
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure, but it succeeded");
}
