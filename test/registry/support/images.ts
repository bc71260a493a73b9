/** Builds small test images on the local busybox base: labels, and optionally a layer of random bytes. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec } from "../../../packages/core/src/exec/exec";

export interface TestImageOptions {
  base: string;
  /** Local name:tag of the image. */
  name: string;
  labels?: Record<string, string>;
  /** Size of a layer of random (incompressible) data, in bytes. */
  randomBytes?: number;
}

export async function buildTestImage(options: TestImageOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "pt-test-registry-build-"));
  try {
    const lines = [`FROM ${options.base}`];
    for (const [k, v] of Object.entries(options.labels ?? {}))
      lines.push(`LABEL ${JSON.stringify(k)}=${JSON.stringify(v)}`);
    // A unique file makes every image distinct, so tests never share a digest by accident.
    writeFileSync(join(dir, "id"), randomBytes(16).toString("hex"));
    lines.push("COPY id /id");
    if (options.randomBytes) {
      writeRandom(join(dir, "data"), options.randomBytes);
      lines.push("COPY data /data");
    }
    writeFileSync(join(dir, "Dockerfile"), `${lines.join("\n")}\n`);
    await exec("docker", ["build", "--quiet", "--tag", options.name, dir], { env: { DOCKER_BUILDKIT: "0" } });
    return options.name;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeRandom(file: string, size: number): void {
  const chunk = 1 << 20;
  const parts: Buffer[] = [];
  for (let left = size; left > 0; left -= chunk) parts.push(randomBytes(Math.min(chunk, left)));
  writeFileSync(file, Buffer.concat(parts));
}
