/**
 * The build action's merge mode, the last job of the native-runner pattern: the digests each
 * platform's runner pushed become one OCI index, tagged with this run's version (or `push`),
 * through the registry API — nothing is built or pulled.
 */
import * as actions from "@actions/core";
import type { ActionContext } from "@powertrain/action-kit";
import {
  ciMetadata,
  mergeIndex,
  parseReference,
  publishTags,
  publishTarget,
  readPublishConfig,
  registryClientFor,
} from "@powertrain/core";

export interface MergeInputs {
  config: string;
  /** `registry/repository@sha256:…`, one per platform. */
  images: string[];
  /** Target `registry/repository:tag` (default: the registry and repository of powertrain.yml, tag = version). */
  push?: string;
  registry?: string;
  username?: string;
  password?: string;
}

export async function runMerge(input: MergeInputs, ctx: ActionContext): Promise<void> {
  const config = await readPublishConfig(input.config);
  let targetRef = input.push;
  let version: string | undefined;
  if (!targetRef) {
    const { registry, repository } = publishTarget(config, { registry: input.registry }, input.config);
    version = publishTags(config, await ciMetadata()).version;
    targetRef = `${registry}/${repository}:${version}`;
  }
  const target = parseReference(targetRef);
  const credentials =
    input.username && input.password ? { username: input.username, password: input.password } : undefined;
  const client = await registryClientFor(target.registry, ctx.logger, { credentials });
  try {
    const result = await mergeIndex({
      client,
      sources: input.images.map((i) => parseReference(i)),
      target,
      logger: ctx.logger,
    });
    for (const e of result.entries) ctx.logger.info(`  ${e.platform.padEnd(14)} ${e.digest}`);
    ctx.logger.info(`merged ${result.entries.length} manifests into ${result.ref}@${result.digest}`);
    actions.setOutput("index", `${result.ref}@${result.digest}`);
    actions.setOutput("index-digest", result.digest);
    actions.setOutput("image", `${target.registry}/${target.repository}@${result.digest}`);
    if (version) actions.setOutput("version", version);
  } finally {
    await client.close();
  }
}
