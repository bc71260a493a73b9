/** `powertrain find --commit <sha>`: the image built from a commit, for rollback by commit. */
import {
  findByCommit,
  listImages,
  publishTarget,
  RegistryError,
  readPublishConfig,
  readRegistryAuthsFile,
  registryClientFor,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";

interface FindFlags {
  registryAuths?: string;
  config: string;
  commit: string;
  registry?: string;
  repository?: string;
  json?: boolean;
}

export function registerFind(program: Command, ctx: CliContext): void {
  program
    .command("find")
    .description("Find the image built from a commit; prints its pinned reference.")
    .requiredOption("--commit <sha>", "the commit sha, or at least 4 characters of it")
    .option("-c, --config <file>", "powertrain.yml to use", "powertrain.yml")
    .option("--registry <host>", "registry host[:port] (default image.registry)")
    .option("--repository <path>", "repository (default image.repository, else name)")
    .option("--registry-auths <file>", "YAML/JSON list of per-registry credentials (docs/registry.md)")
    .option("--json", "print every match as JSON on stdout")
    .action(async (flags: FindFlags) => {
      const config = await readPublishConfig(flags.config);
      const { registry, repository } = publishTarget(config, flags, flags.config);
      const client = await registryClientFor(registry, ctx.logger, {
        registryAuths: flags.registryAuths ? await readRegistryAuthsFile(flags.registryAuths) : undefined,
      });
      try {
        const matches = findByCommit(await listImages({ client, repository }), flags.commit);
        const newest = matches[0];
        if (!newest) {
          throw new RegistryError(
            `no image in ${registry}/${repository} was built from commit ${flags.commit}`,
            {
              kind: "not-found",
              registry,
              repository,
            },
          );
        }
        if (matches.length > 1)
          ctx.logger.warn(`${matches.length} images match ${flags.commit}; the newest is first`);
        const withRefs = matches.map((i) => ({ ...i, image: `${registry}/${repository}@${i.digest}` }));
        ctx.out.write(
          flags.json
            ? `${JSON.stringify(withRefs, null, 2)}\n`
            : `${withRefs[0]!.image}  ${newest.tags.join(",")}\n`,
        );
      } finally {
        await client.close();
      }
    });
}
