/**
 * `powertrain extract-config <image> --env NAME`: the run configuration of one
 * environment, read out of the image alone (registry API or local daemon),
 * optionally with files copied out of it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  EXTRACT_SOURCES,
  type ExtractConfigResult,
  type ExtractSource,
  extractConfig,
  extractFiles,
  type FileTarget,
  parseReference,
  readRegistryAuthsFile,
  registryCredentialsFor,
  UsageError,
} from "@powertrain/core";
import { type Command, Option } from "commander";
import type { CliContext } from "../context";
import { describeResolved } from "./validate";

/** Where --files go without --out. */
export const DEFAULT_FILES_DIR = "powertrain-files";

interface ExtractConfigFlags {
  env: string;
  source: ExtractSource;
  platform: string;
  files?: string[];
  out?: string;
  registry?: string;
  registryAuths?: string;
  json?: boolean;
}

export function registerExtractConfig(program: Command, ctx: CliContext): void {
  program
    .command("extract-config")
    .description(
      "Read the powertrain.yml baked into an image and print one environment's run configuration (no source checkout, no layers pulled).",
    )
    .argument("<image>", "image reference, by tag or digest (for --source local also an image ID)")
    .requiredOption(
      "-e, --env <name>",
      'environment to resolve ("default" for the top-level run configuration)',
    )
    .addOption(
      new Option("--source <where>", "read from the registry, the local daemon, or local when present (auto)")
        .choices(EXTRACT_SOURCES)
        .default("auto"),
    )
    .option("--platform <os/arch>", "platform to pick from a multi-platform index", "linux/amd64")
    .option(
      "--files <path...>",
      "paths inside the image to copy out (never started; regular files and directories only, 64 MiB in all)",
    )
    .option("--out <dir>", `write config.json and the --files here (files default to ./${DEFAULT_FILES_DIR})`)
    .option(
      "--registry <host>",
      "the registry POWERTRAIN_REGISTRY_USER/PASSWORD belong to (default POWERTRAIN_REGISTRY); other registries get none",
    )
    .option("--registry-auths <file>", "YAML/JSON list of per-registry credentials (docs/registry.md)")
    .option("--json", "print the result as JSON on stdout")
    .action(async (image: string, flags: ExtractConfigFlags) => {
      const registryAuths = flags.registryAuths
        ? await readRegistryAuthsFile(flags.registryAuths)
        : undefined;
      const result = await extractConfig({
        image,
        environment: flags.env,
        source: flags.source,
        platform: flags.platform,
        registry: flags.registry,
        registryAuths,
        logger: ctx.logger,
      });
      // A pull for --files gets the same credential, for the image's registry only.
      const credentials = await pullCredentials(image, flags.registry, registryAuths);
      if (credentials) ctx.logger.mask(credentials.password);
      let files: FileTarget[] = [];
      if (flags.files?.length) {
        files = await extractFiles(result.image, flags.files, flags.out ?? DEFAULT_FILES_DIR, {
          logger: ctx.logger,
          credentials,
        });
      }
      if (flags.out) {
        await mkdir(flags.out, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
          throw new UsageError(`cannot create ${flags.out}: ${err.code ?? err.message}`);
        });
        await writeFile(join(flags.out, "config.json"), `${JSON.stringify(result.config, null, 2)}\n`);
      }
      if (flags.json) ctx.out.write(`${JSON.stringify(jsonResult(result, files), null, 2)}\n`);
      else describe(ctx, result, files);
    });
}

async function pullCredentials(
  image: string,
  registry: string | undefined,
  registryAuths: Awaited<ReturnType<typeof readRegistryAuthsFile>> | undefined,
) {
  let host: string;
  try {
    host = parseReference(image).registry;
  } catch {
    return undefined; // a local image ID: nothing to pull
  }
  const found = await registryCredentialsFor(host, {
    registryAuths,
    configuredRegistry: registry,
    dockerConfig: false,
  });
  return found && !found.credentials.identityToken ? found.credentials : undefined;
}

/** What --json prints: the action's outputs, under the same names. */
export function jsonResult(result: ExtractConfigResult, files: readonly FileTarget[]) {
  return {
    image: result.image,
    version: result.version,
    revision: result.revision ?? "",
    environments: result.environments,
    references: result.references,
    config: result.config,
    files: files.map((f) => f.destination),
  };
}

function describe(ctx: CliContext, result: ExtractConfigResult, files: readonly FileTarget[]): void {
  const from =
    result.source === "registry" ? `the registry (${result.bytesFetched} bytes)` : "the local daemon";
  ctx.logger.info(`${result.image} (version ${result.version || "-"}), read from ${from}`);
  ctx.logger.info(describeResolved(result.config));
  ctx.logger.info(`  environments  ${result.environments.join(", ") || "-"}`);
  ctx.logger.info(`  needs         ${result.references.join(", ") || "no variables"}`);
  for (const f of files) ctx.logger.info(`  file          ${f.destination}`);
}
