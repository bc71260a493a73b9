/**
 * Traffic tests: the deploy fixtures (test/deploy/support.ts) plus the nginx
 * the deploy user runs (scripts/lib/nginx.sh), and upstream clean-up.
 */
import { rmSync } from "node:fs";
import type { DeployEnvironment, DeployRunConfig } from "../../packages/core/src/deploy/types";
import type { RouterConfig } from "../../packages/core/src/router/types";
import { cleanUp, env, environment, runConfig } from "../deploy/support";
import { testEnvFile } from "../support/env";

export { buildApp, request } from "../deploy/support";
export { env };

export function nginx(): NonNullable<typeof env.nginx> {
  if (!env.nginx) throw new Error(`PT_NGINX_PORT is missing in ${testEnvFile()} — run ./scripts/setup`);
  return env.nginx;
}

export function nginxRouter(): RouterConfig {
  const n = nginx();
  return { type: "nginx", confDir: n.confDir, nginx: n.binary, nginxConfig: n.conf };
}

/** One host, `instances` instances on ports from `ports`, behind the test nginx. */
export function trafficEnvironment(
  app: string,
  ports: { from: number; to: number },
  o: {
    instances?: number;
    run?: Partial<DeployRunConfig>;
    deploy?: Partial<DeployEnvironment["deploy"]>;
  } = {},
): DeployEnvironment {
  const base = environment(
    app,
    runConfig(ports, { instances: o.instances ?? 2, stopTimeoutMs: 2000, ...o.run }),
  );
  return {
    ...base,
    // keep-idle short: the timer that stops blue-green's idle set is a sleeping process on the host.
    deploy: {
      ...base.deploy,
      router: nginxRouter(),
      drainMs: 500,
      blueGreen: { keepIdleMs: 30_000 },
      ...o.deploy,
    },
  };
}

/** The Host header that routes to the app's upstream in the test nginx. */
export const upstreamHost = (app: string) => `${app}-test`;

/** Containers, images, locks, history, and the app's upstream file (and its canary access log). */
export async function cleanUpTraffic(app: string): Promise<void> {
  rmSync(`${nginx().confDir}/powertrain/${upstreamHost(app)}.conf`, { force: true });
  rmSync(`${nginx().confDir}/powertrain/${upstreamHost(app)}.access.log`, { force: true });
  await cleanUp(app);
}
