/**
 * What publish, promote, images and find read from powertrain.yml: the
 * registry, the repository (default: the app's name) and the tag templates.
 * `readPublishConfig` reads them through the config loader, so a bad file
 * fails with the same file:line:col errors as `powertrain validate`.
 */
import { existsSync } from "node:fs";
import { loadConfig } from "../config/load";
import { UsageError } from "../errors";
import type { Logger } from "../log";
import { RegistryClient } from "../registry/client";
import { type Credentials, resolveCredentials } from "../registry/credentials";
import type { RegistryCredentialEntry } from "../registry/registry-auths";
import type { CiMetadata } from "../version/ci";
import { type ExtraTagSpec, resolveTags } from "../version/template";

export interface PublishConfig {
  name?: string;
  registry?: string;
  repository?: string;
  versionTemplate?: string;
  extraTags?: ExtraTagSpec[];
}

/** The publish settings of `file`, validated by the config loader; undefined when the file does not exist. */
export async function readPublishConfig(file: string): Promise<PublishConfig | undefined> {
  if (!existsSync(file)) return undefined;
  const { config } = await loadConfig(file);
  return {
    name: config.name,
    registry: config.image?.registry,
    repository: config.image?.repository,
    versionTemplate: config.tags?.version,
    extraTags: config.tags?.extra,
  };
}

export interface PublishTarget {
  registry: string;
  repository: string;
}

/** Registry and repository from flags/inputs, else powertrain.yml; a clear error when neither names them. */
export function publishTarget(
  config: PublishConfig | undefined,
  overrides: { registry?: string; repository?: string },
  source = "powertrain.yml",
): PublishTarget {
  const registry = overrides.registry || config?.registry;
  const repository = overrides.repository || config?.repository || config?.name;
  if (!registry)
    throw new UsageError(`no registry given: set image.registry in ${source} or pass the registry`);
  if (!repository) throw new UsageError(`no repository given: set image.repository or name in ${source}`);
  return { registry, repository };
}

/** The version and tags for this build: `override` wins over the template, extra tags are added. */
export function publishTags(
  config: PublishConfig | undefined,
  meta: CiMetadata,
  override?: string,
  moreTags: readonly string[] = [],
): { version: string; tags: string[] } {
  return resolveTags({
    override,
    template: config?.versionTemplate,
    extra: [...(config?.extraTags ?? []), ...moreTags],
    values: meta,
  });
}

/**
 * A registry client for the configured `registry` (powertrain.yml's or an
 * explicit one) with the credentials found for it in the usual order
 * (docs/registry.md: explicit, registry-auths, POWERTRAIN_REGISTRY_USER/PASSWORD,
 * docker login and credential helpers); POWERTRAIN_REGISTRY_CA_FILE and
 * POWERTRAIN_REGISTRY_INSECURE=true reach private TLS and plain-HTTP registries.
 */
export async function registryClientFor(
  registry: string,
  logger: Logger,
  options: {
    credentials?: Credentials;
    registryAuths?: readonly RegistryCredentialEntry[];
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<RegistryClient> {
  const env = options.env ?? process.env;
  return new RegistryClient({
    registry,
    credentials: await resolveCredentials(registry, {
      explicit: options.credentials ? { registry, credentials: options.credentials } : undefined,
      registryAuths: options.registryAuths,
      configuredRegistry: registry,
      env,
      logger,
    }),
    caFile: env.POWERTRAIN_REGISTRY_CA_FILE || undefined,
    insecure: env.POWERTRAIN_REGISTRY_INSECURE === "true",
    logger,
  });
}
