/**
 * Pulling the image on a host: by digest, with the credential of the image's registry only (on
 * stdin, never in argv), within deploy.pull-timeout; an index without the host's platform is said
 * so, naming the platform.
 */
import type { Logger } from "../log";
import { hostPlatform } from "../registry/platform";
import { runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import { DeployError } from "./errors";
import type { HostDeployOptions } from "./executor";
import { authForImage } from "./registry-auth";
import type { RegistryAuth } from "./types";

/** A pull that takes longer has stalled (deploy.pull-timeout overrides). */
const PULL_TIMEOUT_MS = 10 * 60_000;

export async function pull(
  host: RemoteHost,
  image: string,
  o: Pick<HostDeployOptions, "registryAuth" | "pullTimeoutMs">,
  log: Logger,
): Promise<void> {
  const t0 = Date.now();
  const auth = authForImage(o.registryAuth, image);
  const limitS = Math.max(1, Math.ceil((o.pullTimeoutMs ?? PULL_TIMEOUT_MS) / 1000));
  const waitsMs = limitS * 1000;
  const r = auth
    ? await runScript(host, "pull", [image, "auth", String(limitS)], {
        input: dockerConfigJson(auth),
        allowFailure: true,
        secrets: [auth.password],
        waitsMs,
      })
    : await runScript(host, "pull", [image, "", String(limitS)], { allowFailure: true, waitsMs });
  if (r.exitCode === 124) {
    throw new DeployError(`${host.name}: pulling ${image} timed out after ${limitS} s (deploy.pull-timeout)`);
  }
  // Docker picks the host's platform out of an index; when the index has none for it, say which.
  if (r.exitCode !== 0 && /no matching manifest/i.test(r.stderr + r.stdout)) {
    const platform = await hostPlatformOf(host);
    throw new DeployError(
      `${host.name}: ${image} has no image for this host's platform${platform ? ` (${platform})` : ""}: ${(r.stderr || r.stdout).trim()}`,
      { hint: "build for it too (build.platforms), or deploy to hosts of a platform the image has" },
    );
  }
  if (r.exitCode !== 0) {
    throw new DeployError(`${host.name}: pulling ${image} failed: ${(r.stderr || r.stdout).trim()}`);
  }
  log.info(`${host.name}: pulled ${image} in ${Date.now() - t0} ms`);
}

/** `linux/arm64` for the host's engine, from `docker info`; undefined when it cannot be asked. */
async function hostPlatformOf(host: RemoteHost): Promise<string | undefined> {
  const r = await host.run(["docker", "info", "--format", "{{.OSType}} {{.Architecture}}"], {
    allowFailure: true,
  });
  const [os, arch] = r.stdout.trim().split(/\s+/);
  if (r.exitCode !== 0 || !os || !arch) return undefined;
  const p = hostPlatform(arch, os);
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

/** A docker config.json holding one registry's credentials. */
export function dockerConfigJson(auth: RegistryAuth): string {
  const token = Buffer.from(`${auth.username}:${auth.password}`).toString("base64");
  return JSON.stringify({ auths: { [auth.registry]: { auth: token } } });
}
