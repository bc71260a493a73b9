/** `powertrain images`: the versions in the registry, newest first, from manifests and labels. */
import {
  humanSize,
  listImages,
  type PublishedImage,
  publishTarget,
  readPublishConfig,
  readRegistryAuthsFile,
  registryClientFor,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";

interface ImagesFlags {
  registryAuths?: string;
  config: string;
  registry?: string;
  repository?: string;
  json?: boolean;
}

export function registerImages(program: Command, ctx: CliContext): void {
  program
    .command("images")
    .description("List the versions in the registry, newest first, with commit, build number and size.")
    .option("-c, --config <file>", "powertrain.yml to use", "powertrain.yml")
    .option("--registry <host>", "registry host[:port] (default image.registry)")
    .option("--repository <path>", "repository (default image.repository, else name)")
    .option("--registry-auths <file>", "YAML/JSON list of per-registry credentials (docs/registry.md)")
    .option("--json", "print the list as JSON on stdout")
    .action(async (flags: ImagesFlags) => {
      const config = await readPublishConfig(flags.config);
      const { registry, repository } = publishTarget(config, flags, flags.config);
      const client = await registryClientFor(registry, ctx.logger, {
        registryAuths: flags.registryAuths ? await readRegistryAuthsFile(flags.registryAuths) : undefined,
      });
      try {
        const images = await listImages({ client, repository });
        if (flags.json) {
          const withRefs = images.map((i) => ({ ...i, image: `${registry}/${repository}@${i.digest}` }));
          ctx.out.write(`${JSON.stringify(withRefs, null, 2)}\n`);
        } else {
          ctx.out.write(formatImageTable(images));
        }
      } finally {
        await client.close();
      }
    });
}

/** A plain aligned table; empty cells as "-". */
export function formatImageTable(images: readonly PublishedImage[]): string {
  const rows = [
    ["TAGS", "CREATED", "COMMIT", "BUILD", "SIZE", "DIGEST"],
    ...images.map((i) => [
      i.tags.join(","),
      i.created ?? "-",
      i.commit?.slice(0, 7) ?? "-",
      i.buildNumber === undefined ? "-" : String(i.buildNumber),
      humanSize(i.size),
      i.digest.slice(0, 19),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return `${rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}
