/** `powertrain promote`: the same digest under a new tag or in another repository, by registry API only. */
import {
  parsePromoteTarget,
  promote,
  publishTarget,
  readPublishConfig,
  readRegistryAuthsFile,
  registryClientFor,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";

interface PromoteFlags {
  registryAuths?: string;
  config: string;
  to: string;
  registry?: string;
  repository?: string;
  json?: boolean;
}

export function registerPromote(program: Command, ctx: CliContext): void {
  program
    .command("promote")
    .description("Give an existing version a new tag or copy it to another repository: no pull, no rebuild.")
    .argument("<version>", "the version (tag) or digest to promote")
    .requiredOption("--to <target>", "a tag, or repository[:tag] in the same registry")
    .option("-c, --config <file>", "powertrain.yml to use", "powertrain.yml")
    .option("--registry <host>", "registry host[:port] (default image.registry)")
    .option("--repository <path>", "source repository (default image.repository, else name)")
    .option("--registry-auths <file>", "YAML/JSON list of per-registry credentials (docs/registry.md)")
    .option("--json", "print the result as JSON on stdout")
    .action(async (version: string, flags: PromoteFlags) => {
      const config = await readPublishConfig(flags.config);
      const { registry, repository } = publishTarget(config, flags, flags.config);
      const to = parsePromoteTarget(flags.to, registry, repository, version);
      const client = await registryClientFor(registry, ctx.logger, {
        registryAuths: flags.registryAuths ? await readRegistryAuthsFile(flags.registryAuths) : undefined,
      });
      try {
        const result = await promote({ client, repository, version, to, logger: ctx.logger });
        const image = `${registry}/${to.repository}@${result.digest}`;
        ctx.out.write(flags.json ? `${JSON.stringify({ ...result, image }, null, 2)}\n` : `${result.to}\n`);
      } finally {
        await client.close();
      }
    });
}
