/**
 * Publish a local image: `docker tag` + `docker push` for every tag (retried
 * on network errors and 5xx, never on 401/403/404), then read the digest
 * back from the registry, so later steps can pin `registry/repo@sha256:…`.
 * A multi-platform build's index is tagged through the registry API instead
 * (publish-index.ts).
 */
import { ExecError, UsageError } from "../errors";
import { exec } from "../exec/exec";
import type { Logger } from "../log";
import { RegistryClient } from "../registry/client";
import { type Credentials, registryCredentialsFor, resolveCredentials } from "../registry/credentials";
import { RegistryError } from "../registry/errors";
import { imageSize } from "../registry/manifest";
import { formatReference, parseReference } from "../registry/reference";
import type { RegistryCredentialEntry } from "../registry/registry-auths";
import { isValidTag } from "../version/tag";
import { dockerLogin } from "./docker-login";
import { parseIndexReference, publishIndex } from "./publish-index";
import { classifyPushError, pushedDigest } from "./push-errors";

export interface PublishOptions {
  /** The local image to publish (name:tag or image id). */
  localImage: string;
  /** Registry `host[:port]`. */
  registry: string;
  /** Repository path in the registry. */
  repository: string;
  /** The version tag (already rendered and sanitised). */
  version: string;
  /** More tags for the same image. */
  extraTags?: readonly string[];
  /** Log in with these into a temporary docker config; without them docker's existing login is used. */
  credentials?: Credentials;
  /**
   * Per-registry credentials: the entry for `registry` is used like `credentials` when those
   * are not given; POWERTRAIN_REGISTRY_USER/PASSWORD come next (`registry` is the configured one).
   */
  registryAuths?: readonly RegistryCredentialEntry[];
  /** A DOCKER_CONFIG dir already logged in (the action's, removed by its post step). */
  dockerConfig?: string;
  /** Attempts per `docker push` (default 3). */
  attempts?: number;
  /** First backoff delay in ms, doubled each retry (default 2000). */
  retryDelayMs?: number;
  /** Allow plain HTTP to a non-loopback registry when reading the digest back. */
  insecure?: boolean;
  caFile?: string;
  /** Where the temporary docker config is made (default the OS temp dir). */
  tempDir?: string;
  /**
   * A multi-platform build's index, pinned (`registry/repository[:tag]@sha256:…`, the build's
   * `index` output): the tags go onto it through the registry API and `localImage` is not pushed.
   */
  index?: string;
  /** The registry client for the index path and the digest read-back (the caller closes it). */
  client?: RegistryClient;
  logger: Logger;
}

export interface PublishResult {
  version: string;
  tags: string[];
  digest: string;
  /** The pinned reference `registry/repository@sha256:…`. */
  image: string;
  /** Bytes in the registry: config plus compressed layers. */
  size: number;
  registry: string;
  repository: string;
}

export interface PublishPlan {
  version: string;
  tags: string[];
  /** `registry/repository:tag` for every tag. */
  references: string[];
  /** The docker commands publish runs, as argument lists (for --dry-run); none for an index. */
  commands: string[][];
  /** With an index: the pinned index every reference is PUT onto through the registry API. */
  index?: string;
}

/** What publish would do; validates every name first. */
export function planPublish(
  options: Pick<PublishOptions, "localImage" | "registry" | "repository" | "version" | "extraTags" | "index">,
): PublishPlan {
  const target = `${options.registry}/${options.repository}`;
  const parsed = parseReference(target, options.registry);
  if (parsed.registry !== options.registry || parsed.tag || parsed.digest) {
    throw new UsageError(`invalid registry/repository "${target}": expected host[:port]/path`);
  }
  const tags = [...new Set([options.version, ...(options.extraTags ?? [])])];
  for (const tag of tags) {
    if (!isValidTag(tag))
      throw new UsageError(`invalid tag "${tag}": use letters, digits, _ . - (at most 128)`);
  }
  const references = tags.map((t) => `${target}:${t}`);
  if (options.index) {
    const index = formatReference(parseIndexReference(options.index, options.registry));
    return { version: options.version, tags, references, commands: [], index };
  }
  const commands = [
    ...references.map((r) => ["docker", "tag", options.localImage, r]),
    ...references.map((r) => ["docker", "push", r]),
  ];
  return { version: options.version, tags, references, commands };
}

export async function publishImage(input: PublishOptions): Promise<PublishResult> {
  const { logger, registry, repository } = input;
  const plan = planPublish(input);
  if (input.index) return publishIndex({ ...input, index: input.index }, plan.tags);
  // Explicit, listed or environment credentials for this registry are given to docker login;
  // without any, docker's own login (config.json, credential helpers) pushes.
  const found = await registryCredentialsFor(registry, {
    explicit: input.credentials ? { registry, credentials: input.credentials } : undefined,
    registryAuths: input.registryAuths,
    configuredRegistry: registry,
    dockerConfig: false,
    logger,
  });
  const options = { ...input, credentials: found?.credentials };
  if (options.credentials) logger.mask(options.credentials.password);

  const login =
    options.credentials && !options.dockerConfig
      ? await dockerLogin(registry, options.credentials, logger, options.tempDir)
      : undefined;
  const dockerConfig = options.dockerConfig ?? login?.configDir;
  const env = dockerConfig ? { DOCKER_CONFIG: dockerConfig } : undefined;
  const secrets = options.credentials ? [options.credentials.password] : [];
  let digestFromPush: string | undefined;
  try {
    for (const ref of plan.references) {
      await exec("docker", ["tag", options.localImage, ref], { logger, env, secrets });
    }
    for (const ref of plan.references) {
      const output = await logger.group(`docker push ${ref}`, () =>
        pushWithRetries(ref, options, env, secrets),
      );
      digestFromPush ??= pushedDigest(output);
    }
  } finally {
    await login?.dispose();
  }

  const credentials =
    options.credentials ?? (await resolveCredentials(registry, { configuredRegistry: registry, logger }));
  const client =
    options.client ??
    new RegistryClient({ registry, credentials, insecure: options.insecure, caFile: options.caFile, logger });
  try {
    const digest = await client.manifestDigest(repository, plan.version);
    if (digestFromPush && digestFromPush !== digest) {
      throw new RegistryError(
        `${registry}/${repository}:${plan.version} has digest ${digest}, but docker pushed ${digestFromPush}; another push raced this one`,
        { kind: "protocol", registry, repository },
      );
    }
    const { manifest } = await client.getImageManifest(repository, digest);
    const result: PublishResult = {
      version: plan.version,
      tags: plan.tags,
      digest,
      image: `${registry}/${repository}@${digest}`,
      size: imageSize(manifest),
      registry,
      repository,
    };
    logger.info(`published ${result.image} as ${plan.tags.join(", ")}`);
    return result;
  } finally {
    if (!options.client) await client.close();
  }
}

async function pushWithRetries(
  ref: string,
  options: PublishOptions,
  env: Record<string, string> | undefined,
  secrets: string[],
): Promise<string> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const user = options.credentials?.username;
  for (let attempt = 1; ; attempt++) {
    const r = await exec("docker", ["push", ref], {
      logger: options.logger,
      env,
      secrets,
      allowFailure: true,
      stream: true,
    });
    if (r.exitCode === 0) return r.stdout;
    const output = r.stderr || r.stdout;
    const kind = classifyPushError(output);
    const details = { registry: options.registry, repository: options.repository, user };
    if (kind === "auth") {
      // "denied" is a login that worked but may not push here; anything else is a failed login.
      const denied =
        /requested access to the resource is denied|\bdenied:|insufficient_scope|\b403\b|forbidden/i.test(
          output,
        );
      throw new RegistryError(
        `${denied ? "access denied (no push right)" : "authentication failed"} for ${user ?? "the current docker login"} at ${options.registry}/${options.repository}`,
        { ...details, kind: "auth" },
        {
          hint: "check the registry user and password (or token) and that the user may push to this repository",
        },
      );
    }
    if (kind === "not-found") {
      throw new RegistryError(`repository ${options.registry}/${options.repository} not found`, {
        ...details,
        kind: "not-found",
      });
    }
    if (kind === "other") throw new ExecError(r.command, r.exitCode, output);
    if (attempt >= attempts) {
      throw new RegistryError(
        `pushing ${ref} failed after ${attempts} attempts: ${lastLine(output)}`,
        { ...details, kind: "network" },
        { hint: `check that the registry ${options.registry} is up and reachable` },
      );
    }
    const delay = (options.retryDelayMs ?? 2000) * 2 ** (attempt - 1);
    options.logger.warn(
      `push of ${ref} failed (${lastLine(output)}); retrying in ${delay} ms (attempt ${attempt + 1}/${attempts})`,
    );
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "";
}
