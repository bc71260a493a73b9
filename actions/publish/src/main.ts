/**
 * The publish action: tag the built image with its version (and extra tags),
 * push it, and hand later steps the pinned `registry/repo@sha256:…`. With the
 * build's `index` (a multi-platform build) the tags go onto that index instead. With a
 * username and password it logs in to a temporary docker config of its own;
 * the post step removes that directory even when the job was cancelled.
 */
import * as actions from "@actions/core";
import { type ActionContext, readInputs } from "@powertrain/action-kit";
import {
  ciMetadata,
  dockerLogin,
  parseRegistryAuths,
  publishImage,
  publishTags,
  publishTarget,
  readPublishConfig,
  registryCredentialsFor,
  removeDockerConfig,
  UsageError,
} from "@powertrain/core";
import { publishMetadata, publishOutputs, summaryRows } from "./outputs";
import { signAfterPush, signInputs, signOutputs, signSummaryRows } from "./sign";

export const inputs = {
  config: { kind: "string", default: "powertrain.yml" },
  image: { kind: "string", required: true },
  index: { kind: "string" },
  registry: { kind: "string" },
  repository: { kind: "string" },
  version: { kind: "string" },
  tags: { kind: "list" },
  username: { kind: "string" },
  password: { kind: "string", secret: true },
  "registry-auths": { kind: "string", secret: true },
  ...signInputs,
} as const;

const DOCKER_CONFIG_STATE = "docker-config";

export async function main(ctx: ActionContext): Promise<void> {
  const input = readInputs(inputs);
  if (input.password) ctx.logger.mask(input.password);
  if (Boolean(input.username) !== Boolean(input.password)) {
    throw new UsageError('inputs "username" and "password" go together: give both or neither');
  }
  const explicit =
    input.username && input.password ? { username: input.username, password: input.password } : undefined;
  const registryAuths = parseRegistryAuths(input["registry-auths"] ?? "", 'input "registry-auths"');

  const config = await readPublishConfig(input.config);
  const target = publishTarget(
    config,
    { registry: input.registry, repository: input.repository },
    input.config,
  );
  const meta = await ciMetadata();
  const { version, tags } = publishTags(config, meta, input.version, input.tags);

  // Explicit, listed or POWERTRAIN_REGISTRY_USER/PASSWORD credentials for the target registry
  // log in to a docker config of our own; without any, the runner's docker login pushes.
  const credentials = (
    await registryCredentialsFor(target.registry, {
      explicit: explicit ? { registry: target.registry, credentials: explicit } : undefined,
      registryAuths,
      configuredRegistry: target.registry,
      dockerConfig: false,
      logger: ctx.logger,
    })
  )?.credentials;
  if (credentials) ctx.logger.mask(credentials.password);
  let dockerConfig: string | undefined;
  // An index is tagged through the registry API with the credentials themselves: no docker login.
  if (credentials && !input.index) {
    const login = await dockerLogin(
      target.registry,
      credentials,
      ctx.logger,
      process.env.RUNNER_TEMP || undefined,
    );
    dockerConfig = login.configDir;
    actions.saveState(DOCKER_CONFIG_STATE, dockerConfig);
  }
  try {
    const result = await publishImage({
      localImage: input.image,
      ...target,
      version,
      extraTags: tags.slice(1),
      index: input.index || undefined,
      credentials,
      dockerConfig,
      logger: ctx.logger,
    });
    const metadata = publishMetadata(result, meta);
    for (const [name, value] of Object.entries(publishOutputs(metadata))) actions.setOutput(name, value);
    const signed = await signAfterPush(input, result, meta, ctx.logger, credentials);
    for (const [name, value] of Object.entries(signOutputs(signed))) actions.setOutput(name, value);
    await actions.summary
      .addHeading("powertrain publish", 3)
      .addTable(
        [...summaryRows(metadata), ...signSummaryRows(signed)].map((row, i) =>
          i === 0 ? row.map((data) => ({ data, header: true })) : row,
        ),
      )
      .write();
  } finally {
    if (dockerConfig) await removeDockerConfig(dockerConfig);
  }
}

/** Removes the temporary docker config if the main step could not (cancelled, killed). */
export async function post(_ctx: ActionContext): Promise<void> {
  const dir = actions.getState(DOCKER_CONFIG_STATE);
  if (dir) await removeDockerConfig(dir);
}
