/** The multi-platform fixture: a copy of test/fixtures/apps/multiarch with its probe built for amd64 and arm64. */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { exec } from "../../packages/core/src/exec/exec";
import { RegistryClient } from "../../packages/core/src/registry/client";
import type { TestEnv } from "../support/env";
import { tempDir } from "../support/helpers";
import { REPO_ROOT } from "./support";

export const ARCHES = ["amd64", "arm64"] as const;

/** A copy of the fixture with bin/<arch>/probe built (static, by the Go toolchain setup needs anyway). */
export async function multiarchApp(): Promise<string> {
  const dir = tempDir("pt-build-multiarch-");
  cpSync(join(REPO_ROOT, "test/fixtures/apps/multiarch"), dir, { recursive: true });
  for (const arch of ARCHES) {
    await exec("go", ["build", "-o", join(dir, "bin", arch, "probe"), "probe.go"], {
      cwd: dir,
      env: { GOOS: "linux", GOARCH: arch, CGO_ENABLED: "0", GOFLAGS: "-buildvcs=false" },
    });
  }
  return dir;
}

export function registryClient(env: TestEnv): RegistryClient {
  const { host, user, password } = env.registry;
  return new RegistryClient({ registry: host, credentials: { username: user, password } });
}

/** A file out of an image's layers (gzipped tars), read through the registry API. */
export async function fileInImage(
  client: RegistryClient,
  repository: string,
  digest: string,
  path: string,
): Promise<string | undefined> {
  const image = await client.getManifest(repository, digest);
  if (image.manifest.kind !== "image") throw new Error(`${digest} is not an image manifest`);
  let found: string | undefined;
  for (const layer of image.manifest.layers) {
    const tar = gunzipSync(await client.getBlob(repository, layer.digest));
    for (let at = 0; at + 512 <= tar.length; ) {
      const name = tar
        .subarray(at, at + 100)
        .toString("utf8")
        .replace(/\0.*$/s, "");
      if (!name) break;
      const size = Number.parseInt(
        tar
          .subarray(at + 124, at + 136)
          .toString("utf8")
          .replace(/\0.*$/s, "")
          .trim() || "0",
        8,
      );
      if (name.replace(/^\.?\//, "") === path.replace(/^\//, ""))
        found = tar.subarray(at + 512, at + 512 + size).toString("utf8");
      at += 512 + Math.ceil(size / 512) * 512;
    }
  }
  return found;
}
