/**
 * The extract-config action: inputs → core's extractConfig (and extractFiles)
 * → outputs, a JSON file of the configuration, and a short job summary.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as actions from "@actions/core";
import { type ActionContext, readInputs } from "@powertrain/action-kit";
import {
  type Credentials,
  diffReferences,
  EXTRACT_SOURCES,
  type ExtractSource,
  extractConfig,
  extractFiles,
  type FileTarget,
  gateDeploy,
  judgeReferences,
  loadVerifyingKey,
  type PromoteDiff,
  parseEnvFrom,
  parsePlatform,
  parseReference,
  parseRegistryAuths,
  policyFromInputs,
  pullCredentialsFor,
  RegistryClient,
  resolveCredentials,
  UsageError,
} from "@powertrain/core";
import { writeExtractSummary } from "./summary";

export const inputs = {
  image: { kind: "string", required: true },
  environment: { kind: "string", required: true },
  source: { kind: "string", default: "auto" },
  platform: { kind: "string", default: "linux/amd64" },
  username: { kind: "string" },
  password: { kind: "string", secret: true },
  registry: { kind: "string" },
  "registry-auths": { kind: "string", secret: true },
  files: { kind: "list" },
  "files-dir": { kind: "string", default: "powertrain-files" },
  summary: { kind: "boolean", default: true },
  "verify-key": { kind: "string" },
  "verify-require": { kind: "string" },
  "insecure-skip-verify": { kind: "boolean", default: false },
  "compare-with": { kind: "string" },
  "env-from": { kind: "string" },
} as const;

export async function main(ctx: ActionContext): Promise<void> {
  const input = readInputs(inputs);
  const source = input.source as ExtractSource;
  if (!EXTRACT_SOURCES.includes(source)) {
    throw new UsageError(
      `input "source": expected one of ${EXTRACT_SOURCES.join(", ")}, got "${input.source}"`,
    );
  }
  const explicit = credentialsFrom(input.username, input.password);
  const registryAuths = parseRegistryAuths(input["registry-auths"] ?? "", 'input "registry-auths"');
  const registry = input.registry || undefined;
  const result = await extractConfig({
    image: input.image,
    environment: input.environment,
    source,
    platform: input.platform,
    credentials: explicit,
    registry,
    registryAuths,
    logger: ctx.logger,
  });
  // The deploy side's policy (these inputs), tightened by the image's own; before any deploy step.
  const deploySide = policyFromInputs(input["verify-key"], input["verify-require"], 'input "verify-require"');
  const imageSide = result.config.deploy.verify;
  if (deploySide || imageSide || input["insecure-skip-verify"]) {
    const verified = await gateDeploy({
      image: result.image,
      deploySide,
      imageSide,
      insecureSkipVerify: input["insecure-skip-verify"],
      logger: ctx.logger,
    });
    actions.setOutput("verified", verified.summary);
  }
  const json = JSON.stringify(result.config);
  const configFile = join(
    await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), "powertrain-config-")),
    "config.json",
  );
  await writeFile(configFile, `${JSON.stringify(result.config, null, 2)}\n`);

  let files: FileTarget[] = [];
  if (input.files.length > 0) {
    const credentials = await filesCredentials(input.image, explicit, registry, registryAuths);
    files = await ctx.logger.group(`extract ${input.files.length} file(s) from ${result.image}`, () =>
      extractFiles(result.image, input.files, input["files-dir"], { logger: ctx.logger, credentials }),
    );
  }

  actions.setOutput("config", json);
  actions.setOutput("config-file", configFile);
  actions.setOutput("image", result.image);
  actions.setOutput("version", result.version);
  actions.setOutput("revision", result.revision ?? "");
  actions.setOutput("environments", JSON.stringify(result.environments));
  actions.setOutput("references", JSON.stringify(result.references));
  actions.setOutput("files", JSON.stringify(files.map((f) => f.destination)));

  // The approval view: what the deploy's ${NAME} references may read, and what moves.
  const verdict = judgeReferences(result.references, parseEnvFrom(input["env-from"], 'input "env-from"'));
  actions.setOutput("refused-references", JSON.stringify(verdict.refused));
  let diff: PromoteDiff | undefined;
  if (input["compare-with"]) {
    const current = input["compare-with"] === "none" ? undefined : input["compare-with"];
    // With verify-key the test totals are checked against it; without, shown as unverified.
    const keySource = input["verify-key"];
    const key = keySource && !keySource.includes("${") ? await loadVerifyingKey(keySource) : undefined;
    diff = await ctx.logger.group(
      `what moves: ${current ?? "(nothing deployed yet)"} → ${result.image}`,
      () =>
        diffReferences({
          current,
          coming: result.image,
          platform: parsePlatform(input.platform),
          clientFor: (host) => clientFor(host, explicit, registry, registryAuths, ctx),
          ...(key ? { key } : {}),
        }),
    );
    actions.setOutput("diff", JSON.stringify(diff));
    actions.setOutput("compare-url", diff.compareUrl ?? "");
  }
  const approval = input["compare-with"] || input["env-from"] ? { verdict, diff } : undefined;
  if (input.summary) await writeExtractSummary(actions.summary, result, files, approval);
}

/** A registry client with the credential for `host` only (the same rule as the config read). */
async function clientFor(
  host: string,
  explicit: Credentials | undefined,
  registry: string | undefined,
  registryAuths: ReturnType<typeof parseRegistryAuths>,
  ctx: ActionContext,
): Promise<RegistryClient> {
  const home = registry ?? host;
  const credentials = await resolveCredentials(host, {
    explicit: explicit ? { registry: home, credentials: explicit } : undefined,
    registryAuths,
    configuredRegistry: registry,
    logger: ctx.logger,
  });
  return new RegistryClient({
    registry: host,
    credentials,
    caFile: process.env.POWERTRAIN_REGISTRY_CA_FILE || undefined,
    insecure: process.env.POWERTRAIN_REGISTRY_INSECURE === "true",
    logger: ctx.logger,
  });
}

export async function post(_ctx: ActionContext): Promise<void> {}

/** The credential a pull for `files` may use: the one for the image's own registry, if any. */
async function filesCredentials(
  image: string,
  explicit: Credentials | undefined,
  registry: string | undefined,
  registryAuths: ReturnType<typeof parseRegistryAuths>,
): Promise<Credentials | undefined> {
  let host: string;
  try {
    host = parseReference(image).registry;
  } catch {
    return undefined; // an image ID: nothing to pull
  }
  const home = registry ?? host;
  const found = await pullCredentialsFor(host, {
    explicit: explicit ? { registry: home, credentials: explicit } : undefined,
    registryAuths,
    configuredRegistry: registry,
    dockerConfig: false,
  });
  return found ? { username: found.username, password: found.password } : undefined;
}

/** Both or neither: a user without a password is a mistake worth one clear line. */
export function credentialsFrom(username?: string, password?: string): Credentials | undefined {
  if (!username && !password) return undefined;
  if (!username || !password) {
    throw new UsageError(
      `inputs "username" and "password" go together: ${username ? "password" : "username"} is empty`,
    );
  }
  return { username, password };
}
