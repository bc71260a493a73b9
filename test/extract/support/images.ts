/**
 * Images as `powertrain build` labels them (`docker build --label`, so `${NAME}`
 * in the config is not touched by the builder), on the local busybox base,
 * with a deploy script inside and optionally a layer of random bytes.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imageLabels } from "../../../packages/core/src/build/labels";
import type { PowertrainConfig } from "../../../packages/core/src/config/schema";
import { exec } from "../../../packages/core/src/exec/exec";

export const DEPLOY_SCRIPT = "#!/bin/sh\necho deploying\n";

export interface ExtractImageOptions {
  base: string;
  /** Local name:tag. */
  name: string;
  /** The config to bake (as build does); undefined bakes no powertrain labels at all. */
  config?: PowertrainConfig;
  /** Labels written as they are, after (and over) the ones build would write. */
  labels?: Record<string, string>;
  /** Size of a layer of random (incompressible) data, in bytes. */
  randomBytes?: number;
}

/** The labels build writes for `config` as build 7 of commit abc1234…. */
export function bakedLabels(config: PowertrainConfig): Record<string, string> {
  return imageLabels({
    config,
    ci: { ci: "local", buildNumber: 7, sha: "abc1234def5678abc1234def5678abc1234def56" },
    created: new Date("2025-01-02T03:04:05Z"),
  });
}

export async function buildExtractImage(options: ExtractImageOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "pt-test-extract-build-"));
  try {
    // A unique file makes every image distinct, so tests never share a digest by accident.
    writeFileSync(join(dir, "id"), randomBytes(16).toString("hex"));
    writeFileSync(join(dir, "deploy.sh"), DEPLOY_SCRIPT, { mode: 0o755 });
    const lines = [`FROM ${options.base}`, "COPY id /id", "COPY deploy.sh /app/deploy.sh"];
    if (options.randomBytes) {
      writeFileSync(join(dir, "data"), randomBytes(options.randomBytes));
      lines.push("COPY data /data");
    }
    writeFileSync(join(dir, "Dockerfile"), `${lines.join("\n")}\n`);
    const labels = { ...(options.config ? bakedLabels(options.config) : {}), ...options.labels };
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    await exec("docker", ["build", "--quiet", ...labelArgs, "--tag", options.name, dir], {
      env: { DOCKER_BUILDKIT: "0" },
    });
    return options.name;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Containers (in any state) created from `image`; proves extraction leaves none behind. */
export async function containersOf(image: string): Promise<string[]> {
  const r = await exec("docker", ["ps", "--all", "--quiet", "--filter", `ancestor=${image}`]);
  return r.stdout.split("\n").filter(Boolean);
}
