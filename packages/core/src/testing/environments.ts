/**
 * The environment and images the orchestration unit tests deploy (against testing/fake-host.ts):
 * app `shop` in `prod`, two instances behind port 8080 with an HTTP health check, on the hosts
 * given; each test changes only what it is about.
 */
import type { DeployEnvironment } from "../deploy/types";

export const testDigest = (c: string) => `sha256:${c.repeat(64)}`;
/** `reg.example.com/shop:<version>@sha256:<c×64>`. */
export const testImage = (version: string, c: string) => `reg.example.com/shop:${version}@${testDigest(c)}`;

export const TEST_HOSTS = [
  { host: "10.0.0.1", user: "deploy" },
  { host: "10.0.0.2", user: "deploy" },
];

export function testEnvironment(
  o: {
    hosts?: DeployEnvironment["hosts"];
    run?: Partial<DeployEnvironment["run"]>;
    deploy?: Partial<DeployEnvironment["deploy"]>;
  } = {},
): DeployEnvironment {
  return {
    name: "prod",
    app: "shop",
    hosts: o.hosts ?? TEST_HOSTS,
    run: {
      instances: 2,
      ports: [{ container: 8080, host: { from: 18000, to: 18099 }, protocol: "tcp" }],
      env: {},
      volumes: [],
      labels: {},
      health: { http: "/healthz" },
      stopTimeoutMs: 1000,
      init: true,
      restart: "no",
      ...o.run,
    },
    deploy: {
      strategy: "rolling",
      maxParallel: 1,
      keep: 2,
      healthTimeoutMs: 1000,
      lockTimeoutMs: 0,
      ...o.deploy,
    },
  };
}
