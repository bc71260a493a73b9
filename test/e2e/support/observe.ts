/** What the e2e test checks against: the registry's tags and the containers on the Docker host. */

import { LABEL } from "../../../packages/core/src/deploy/labels";
import { exec } from "../../../packages/core/src/exec/exec";
import type { TestEnv } from "../../support/env";

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** The digest `repositoryPath:tag` has in the registry, or undefined when the tag does not exist. */
export async function registryDigest(
  env: TestEnv,
  repositoryPath: string,
  tag: string,
): Promise<string | undefined> {
  const auth = Buffer.from(`${env.registry.user}:${env.registry.password}`).toString("base64");
  const response = await fetch(`http://${env.registry.host}/v2/${repositoryPath}/manifests/${tag}`, {
    method: "HEAD",
    headers: { accept: MANIFEST_TYPES, authorization: `Basic ${auth}` },
    signal: AbortSignal.timeout(5000),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`registry answered ${response.status} for ${repositoryPath}:${tag}`);
  return response.headers.get("docker-content-digest") ?? undefined;
}

/** Every tag of `repositoryPath` in the registry, sorted (none: []). */
export async function registryTags(env: TestEnv, repositoryPath: string): Promise<string[]> {
  const auth = Buffer.from(`${env.registry.user}:${env.registry.password}`).toString("base64");
  const response = await fetch(`http://${env.registry.host}/v2/${repositoryPath}/tags/list?n=1000`, {
    headers: { authorization: `Basic ${auth}` },
    signal: AbortSignal.timeout(5000),
  });
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`registry answered ${response.status} for the tags of ${repositoryPath}`);
  return (((await response.json()) as { tags?: string[] | null }).tags ?? []).sort();
}

export interface RunningContainer {
  name: string;
  /** The reference docker ran, e.g. 127.0.0.1:5000/pt-e2e/app@sha256:…. */
  image: string;
  labels: Record<string, string>;
  /** Host port published for container port 8080. */
  port?: number;
}

/** Running containers of `app` in `environment`, as docker reports them. */
export async function runningContainers(app: string, environment: string): Promise<RunningContainer[]> {
  const ids = (
    await exec("docker", [
      "ps",
      "--quiet",
      "--filter",
      `label=${LABEL.app}=${app}`,
      "--filter",
      `label=${LABEL.environment}=${environment}`,
    ])
  ).stdout
    .split("\n")
    .filter(Boolean);
  if (ids.length === 0) return [];
  const inspected = JSON.parse((await exec("docker", ["inspect", ...ids])).stdout) as DockerInspect[];
  return inspected.map((c) => ({
    name: c.Name.replace(/^\//, ""),
    image: c.Config.Image,
    labels: c.Config.Labels ?? {},
    port: Number(c.NetworkSettings.Ports?.["8080/tcp"]?.[0]?.HostPort) || undefined,
  }));
}

interface DockerInspect {
  Name: string;
  Config: { Image: string; Labels?: Record<string, string> };
  NetworkSettings: { Ports?: Record<string, { HostPort: string }[] | null> };
}

export interface RendererPage {
  message: string;
  version: string;
  environment: string;
  instance: string;
}

/** The sample app's page as JSON, from a published port on loopback. */
export async function fetchPage(port: number): Promise<RendererPage> {
  const response = await fetch(`http://127.0.0.1:${port}/?format=json`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`127.0.0.1:${port} answered ${response.status}`);
  return (await response.json()) as RendererPage;
}

/** Removes every container of `app`, running or not, whatever environment. */
export async function removeAppContainers(app: string): Promise<void> {
  const ids = (
    await exec("docker", ["ps", "--all", "--quiet", "--filter", `label=${LABEL.app}=${app}`])
  ).stdout
    .split("\n")
    .filter(Boolean);
  if (ids.length) await exec("docker", ["rm", "--force", ...ids], { allowFailure: true });
}

/** Removes local images whose reference contains `fragment` (the built and pulled ones). */
export async function removeImagesMatching(fragment: string): Promise<void> {
  const refs = (await exec("docker", ["image", "ls", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"])).stdout
    .split("\n")
    .filter((line) => line.includes(fragment))
    .map((line) => (line.split(" ")[0]!.endsWith(":<none>") ? line.split(" ")[1]! : line.split(" ")[0]!));
  if (refs.length) await exec("docker", ["image", "rm", "--force", ...refs], { allowFailure: true });
}
