/**
 * The three builders the build suites run on: the classic builder, buildx with the daemon's own
 * BuildKit (the docker driver), and the standalone buildkitd setup registers as a remote buildx
 * builder — as setup-buildx's docker-container builder behaves on hosted runners: its own cache,
 * base images only from the registry (through a docker login), results `--load`ed.
 */

import type { Builder } from "../../packages/core/src/docker/builder";
import { silentLogger } from "../../packages/core/src/log";
import { dockerLogin } from "../../packages/core/src/publish/docker-login";
import { type TestEnv, testEnv } from "../support/env";

export interface BuilderCase {
  label: string;
  builder: Builder;
  /** The base images as this builder reads them. */
  images: { busybox: string; node: string };
  /** Needs a registry login (DOCKER_CONFIG) to read its base images. */
  login: boolean;
}

/** The standalone builder's part of the test env; throws (the suite fails, never skips) without it. */
export function standaloneBuilder(env: TestEnv = testEnv()): NonNullable<TestEnv["buildkit"]> {
  if (!env.buildkit) throw new Error("PT_BUILDX_BUILDER is missing in the test env — run ./scripts/setup");
  return env.buildkit;
}

export function builderCases(env: TestEnv = testEnv()): BuilderCase[] {
  const buildkit = standaloneBuilder(env);
  return [
    { label: "classic", builder: { kind: "classic" }, images: env.images, login: false },
    {
      label: "buildx with the daemon's BuildKit",
      builder: { kind: "buildx", name: "default", driver: "docker" },
      images: env.images,
      login: false,
    },
    {
      label: "standalone buildkitd",
      builder: { kind: "buildx", name: buildkit.builder, driver: "remote" },
      images: buildkit.images,
      login: true,
    },
  ];
}

/** A docker config logged in to the test registry, for a builder of its own; removed by `dispose`. */
export async function registryLogin(env: TestEnv = testEnv()) {
  const { host, user, password } = env.registry;
  return dockerLogin(host, { username: user, password }, silentLogger);
}
