/** `powertrain promote`: the same digest under a new tag or in another repository, by registry API only. */
import {
  formatPromoteDiff,
  loadVerifyingKey,
  type PromoteTarget,
  parsePromoteTarget,
  parseReference,
  promote,
  promoteDiff,
  publishTarget,
  type RegistryClient,
  readImageFacts,
  readImageFactsIfAny,
  readPublishConfig,
  readRegistryAuthsFile,
  registryClientFor,
  UsageError,
  type VerifyingKey,
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
  dryRun?: boolean;
  against?: string;
  verifyKey?: string;
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
    .option(
      "--dry-run",
      "change nothing: show what moves — versions, commits (a compare link), tests, size — against the target",
    )
    .option(
      "--against <ref>",
      "with --dry-run: compare with this tag, digest or repository[:tag] instead of the target's current image",
    )
    .option("--verify-key <file>", "with --dry-run: public key the test attestations are verified with")
    .option("--json", "print the result as JSON on stdout")
    .action(async (version: string, flags: PromoteFlags) => {
      const config = await readPublishConfig(flags.config);
      const { registry, repository } = publishTarget(config, flags, flags.config);
      const to = parsePromoteTarget(flags.to, registry, repository, version);
      if (!flags.dryRun && (flags.against || flags.verifyKey)) {
        throw new UsageError("--against and --verify-key go with --dry-run");
      }
      const client = await registryClientFor(registry, ctx.logger, {
        registryAuths: flags.registryAuths ? await readRegistryAuthsFile(flags.registryAuths) : undefined,
      });
      try {
        if (flags.dryRun) {
          const key = flags.verifyKey ? await loadVerifyingKey(flags.verifyKey) : undefined;
          const diff = await dryRun(client, { repository, version, to, against: flags.against, key });
          const target = `${to.repository}:${to.tag}`;
          ctx.out.write(
            flags.json
              ? `${JSON.stringify({ to: target, ...diff }, null, 2)}\n`
              : formatPromoteDiff(diff, target),
          );
          return;
        }
        const result = await promote({ client, repository, version, to, logger: ctx.logger });
        const image = `${registry}/${to.repository}@${result.digest}`;
        ctx.out.write(flags.json ? `${JSON.stringify({ ...result, image }, null, 2)}\n` : `${result.to}\n`);
      } finally {
        await client.close();
      }
    });
}

/** The diff of the promotion, read from the registry: manifests, configs and attestations only. */
async function dryRun(
  client: RegistryClient,
  o: { repository: string; version: string; to: PromoteTarget; against?: string; key?: VerifyingKey },
) {
  const now = o.against ? againstRef(o.against, client.registry, o.repository) : o.to;
  // One after the other: the two reads share the client's connection and token.
  const current = await readImageFactsIfAny({
    client,
    repository: now.repository,
    reference: now.tag,
    key: o.key,
  });
  const coming = await readImageFacts({ client, repository: o.repository, reference: o.version, key: o.key });
  return promoteDiff(current, coming);
}

function againstRef(text: string, registry: string, repository: string): PromoteTarget {
  if (!text.includes("/")) return { repository, tag: text };
  const ref = parseReference(text, registry);
  if (ref.registry !== registry) throw new UsageError(`--against "${text}": not in ${registry}`);
  return { repository: ref.repository, tag: ref.digest ?? ref.tag ?? "latest" };
}
