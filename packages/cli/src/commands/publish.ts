/**
 * `powertrain publish`: tag the local image with its version and extra tags, push it, print the digest;
 * with --index, tag a multi-platform build's pushed index through the registry API instead.
 */
import {
  ciMetadata,
  planPublish,
  publishImage,
  publishTags,
  publishTarget,
  readPublishConfig,
  readRegistryAuthsFile,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";

interface PublishFlags {
  config: string;
  image?: string;
  registry?: string;
  repository?: string;
  version?: string;
  tag: string[];
  index?: string;
  registryAuths?: string;
  json?: boolean;
  dryRun?: boolean;
}

export function registerPublish(program: Command, ctx: CliContext): void {
  program
    .command("publish")
    .description("Tag the built image as <build>-<sha> (plus extra tags), push it and print its digest.")
    .option("-c, --config <file>", "powertrain.yml to use", "powertrain.yml")
    .option("--image <ref>", "local image to publish (default <name>:local)")
    .option("--registry <host>", "registry host[:port] (default image.registry)")
    .option("--repository <path>", "repository in the registry (default image.repository, else name)")
    .option("--version <version>", "version tag; overrides the template from powertrain.yml")
    .option("--tag <tag>", "extra tag (repeatable)", collect, [])
    .option(
      "--index <ref@digest>",
      "a multi-platform build's pushed index (the build's index output): tag it through the registry API instead of pushing --image",
    )
    .option("--registry-auths <file>", "YAML/JSON list of per-registry credentials (docs/registry.md)")
    .option("--json", "print the result as JSON on stdout")
    .option(
      "--dry-run",
      "print the docker commands (or, with --index, the tags) it would make, and push nothing",
    )
    .action(async (flags: PublishFlags) => {
      const config = await readPublishConfig(flags.config);
      const target = publishTarget(config, flags, flags.config);
      const meta = await ciMetadata();
      const { version, tags } = publishTags(config, meta, flags.version, flags.tag);
      const localImage = flags.image ?? `${config?.name ?? target.repository.split("/").pop()}:local`;
      const request = { localImage, ...target, version, extraTags: tags.slice(1), index: flags.index };

      if (flags.dryRun) {
        const plan = planPublish(request);
        const commands = plan.index
          ? plan.references.map((r) => `tag ${plan.index} as ${r} (registry API)`)
          : plan.commands.map((c) => c.join(" "));
        ctx.out.write(
          flags.json ? `${JSON.stringify({ ...plan, commands }, null, 2)}\n` : `${commands.join("\n")}\n`,
        );
        return;
      }
      const result = await publishImage({
        ...request,
        registryAuths: flags.registryAuths ? await readRegistryAuthsFile(flags.registryAuths) : undefined,
        logger: ctx.logger,
      });
      const output = { ...result, commit: meta.sha, buildNumber: meta.buildNumber, branch: meta.branch };
      ctx.out.write(flags.json ? `${JSON.stringify(output, null, 2)}\n` : `${result.image}\n`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
