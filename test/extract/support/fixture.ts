/**
 * One published image per test file: built with the labels powertrain build
 * writes, pushed to the setup's registry, and cleaned up afterwards (local
 * tags and registry manifests). The process environment is sealed so that
 * only credentials a test passes on purpose reach the registry.
 */
import type { PowertrainConfig } from "../../../packages/core/src/config/schema";
import { silentLogger } from "../../../packages/core/src/log";
import { publishImage } from "../../../packages/core/src/publish/publish";
import { RegistryClient } from "../../../packages/core/src/registry/client";
import { testEnv } from "../../support/env";
import { dockerRmi, tempDir, uniqueName } from "../../support/helpers";
import { buildExtractImage } from "./images";

export const CONFIG: PowertrainConfig = {
  name: "web",
  image: { repository: "shop/web" },
  run: {
    instances: 2,
    ports: ["8080"],
    env: { LOG_LEVEL: "info", DATABASE_URL: "postgres://${DB_USER}:${DB_PASSWORD}@db/web" },
    health: { http: "/healthz" },
  },
  environments: {
    dev: { run: { instances: 1, env: { LOG_LEVEL: "debug" } } },
    prod: {
      hosts: ["deploy@10.1.0.1", "deploy@10.1.0.2:2222"],
      deploy: { "max-parallel": 2 },
      run: { instances: 4, memory: "256m", env: { SENTRY_DSN: "${SENTRY_DSN}", LOG_LEVEL: null } },
    },
  },
};

/** The tests want silence; core has the logger for that. */
export const silent = silentLogger;

export interface Published {
  /** Local name:tag of the built image. */
  local: string;
  repository: string;
  /** `registry/repository:tag` as pushed. */
  tagged: string;
  digest: string;
  /** `registry/repository@digest`. */
  pinned: string;
}

export function credentials() {
  const env = testEnv();
  return { username: env.registry.user, password: env.registry.password };
}

/** Keep the docker login and POWERTRAIN_REGISTRY_* of the machine out of the tests; restored afterwards. */
export function sealEnvironment(): void {
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.DOCKER_CONFIG = tempDir("pt-test-extract-docker-config-");
    delete process.env.POWERTRAIN_REGISTRY_USER;
    delete process.env.POWERTRAIN_REGISTRY_PASSWORD;
    delete process.env.POWERTRAIN_REGISTRY;
    delete process.env.POWERTRAIN_REGISTRY_AUTHS;
  });
  afterAll(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
}

const cleanupImages: string[] = [];
const cleanupManifests: { repository: string; digest: string }[] = [];

export async function publish(
  prefix: string,
  options: {
    config?: PowertrainConfig;
    labels?: Record<string, string>;
    randomBytes?: number;
    tag?: string;
  } = {},
): Promise<Published> {
  const env = testEnv();
  const local = `${uniqueName(prefix)}:1`;
  const repository = `${uniqueName(prefix)}/app`;
  const tag = options.tag ?? "7-abc1234";
  await buildExtractImage({ base: env.images.busybox, name: local, config: CONFIG, ...options });
  cleanupImages.push(local, `${env.registry.host}/${repository}:${tag}`);
  const result = await publishImage({
    localImage: local,
    registry: env.registry.host,
    repository,
    version: tag,
    credentials: credentials(),
    logger: silent,
  });
  cleanupManifests.push({ repository, digest: result.digest });
  return {
    local,
    repository,
    tagged: `${env.registry.host}/${repository}:${tag}`,
    digest: result.digest,
    pinned: result.image,
  };
}

/** Register clean-up of local images and registry manifests for `extra` and everything published. */
export function cleanUpAfterAll(extra: string[] = []): void {
  afterAll(async () => {
    await dockerRmi([...cleanupImages.splice(0), ...extra]);
    const client = new RegistryClient({ registry: testEnv().registry.host, credentials: credentials() });
    try {
      for (const m of cleanupManifests.splice(0))
        await client.deleteManifest(m.repository, m.digest).catch(() => {});
    } finally {
      await client.close();
    }
  });
}

/** Also delete this manifest (e.g. an index the test PUT) after the tests. */
export function deleteAfterAll(repository: string, digest: string): void {
  cleanupManifests.push({ repository, digest });
}
