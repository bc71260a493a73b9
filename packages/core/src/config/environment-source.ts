/**
 * Where a deploy-side command gets its environment: extract-config's resolved document (JSON text
 * or a file holding it), else powertrain.yml resolved here. The one loader the CLI and the actions
 * share; whatever it returns has been validated.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors";
import { DEFAULT_CONFIG_FILE, loadConfig } from "./load";
import { resolveEnvironment } from "./resolve";
import { parseResolvedDocument, type ResolvedEnvironment } from "./resolved";

/** Larger resolved documents are refused unread: a real one is a few KiB. */
const MAX_RESOLVED_BYTES = 1024 * 1024;

export interface EnvironmentSource {
  /** The environment asked for. */
  environment: string;
  /** extract-config's document: JSON text, or the path of a file holding it. */
  resolved?: string;
  /** powertrain.yml to resolve the environment from when no resolved document is given. */
  configFile?: string;
}

export async function loadEnvironment(source: EnvironmentSource): Promise<ResolvedEnvironment> {
  if (source.resolved === undefined) {
    const { config, file } = await loadConfig(source.configFile ?? DEFAULT_CONFIG_FILE);
    return resolveEnvironment(config, source.environment, file);
  }
  const inline = source.resolved.trimStart().startsWith("{");
  const where = inline ? "the resolved environment" : source.resolved;
  const text = inline ? source.resolved : await readResolved(source.resolved);
  if (text.length > MAX_RESOLVED_BYTES) {
    throw new UsageError(`${where}: larger than ${MAX_RESOLVED_BYTES} bytes; not a resolved environment`);
  }
  const env = parseResolvedDocument(text, where);
  if (env.name !== source.environment) {
    throw new UsageError(`${where} is the resolved environment "${env.name}", not "${source.environment}"`, {
      hint: `extract the config of ${source.environment}, or act on ${env.name}`,
    });
  }
  return env;
}

async function readResolved(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** Where a deploy's environment came from, each part as read (the deploy side's file is trusted). */
export interface DeployEnvironments {
  /** What the deploy runs: the image's run configuration on the deploy side's infrastructure. */
  environment: ResolvedEnvironment;
  /** The environment of the deploy side's own powertrain.yml, when one was given. */
  deploySide?: ResolvedEnvironment;
  /** The image's own (extract-config's document), when one was given. */
  image?: ResolvedEnvironment;
}

/**
 * Both sources at once: the image's document for the run configuration (env, ports, health…, what
 * it was built and tested with) and the deploy side's powertrain.yml for the infrastructure (hosts,
 * router, engine, verify policy) — so promoting or rolling back to an older build deploys to the
 * hosts of today, not to those that build knew. Either source alone is used as it is.
 */
export async function loadDeployEnvironments(source: EnvironmentSource): Promise<DeployEnvironments> {
  const image =
    source.resolved === undefined
      ? undefined
      : await loadEnvironment({ environment: source.environment, resolved: source.resolved });
  const deploySide =
    source.configFile === undefined
      ? undefined
      : await loadEnvironment({ environment: source.environment, configFile: source.configFile });
  if (image && deploySide)
    return { environment: withDeploySideInfrastructure(image, deploySide), deploySide, image };
  const environment = image ?? deploySide ?? (await loadEnvironment(source));
  return { environment, ...(deploySide ? { deploySide } : {}), ...(image ? { image } : {}) };
}

/** The image's run configuration with the deploy side's hosts, url, router, engine and verify policy. */
export function withDeploySideInfrastructure(
  image: ResolvedEnvironment,
  deploySide: ResolvedEnvironment,
): ResolvedEnvironment {
  const { router: _r, engine: _e, swarm: _s, verify: _v, ...rollout } = image.deploy;
  const { router, engine, swarm, verify } = deploySide.deploy;
  const { url: _url, ...run } = image;
  return {
    ...run,
    hosts: deploySide.hosts,
    ...(deploySide.url ? { url: deploySide.url } : {}),
    deploy: {
      ...rollout,
      ...(router ? { router } : {}),
      ...(engine ? { engine } : {}),
      ...(swarm ? { swarm } : {}),
      ...(verify ? { verify } : {}),
    },
  };
}
