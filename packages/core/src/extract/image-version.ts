/**
 * The version an image calls itself: its org.opencontainers.image.version label, read from the
 * registry (manifest and config blob, a few KB). A deploy of `repo@sha256:…` without --version is
 * labelled with it — `42-97f7595`, not a short digest — so history, `ps` and previous-version speak
 * the versions people know. Best effort: undefined when the registry cannot say.
 */
import type { Logger } from "../log";
import { registryClientFor } from "../publish/settings";
import { parseReference } from "../registry/reference";
import { LABEL_IMAGE_VERSION } from "./labels";

export async function imageVersionLabel(image: string, logger: Logger): Promise<string | undefined> {
  let ref: ReturnType<typeof parseReference>;
  try {
    ref = parseReference(image);
  } catch {
    return undefined;
  }
  if (!ref.digest) return undefined;
  const client = await registryClientFor(ref.registry, logger);
  try {
    const { manifest } = await client.getImageManifest(ref.repository, ref.digest);
    return (await client.getConfig(ref.repository, manifest)).labels[LABEL_IMAGE_VERSION] || undefined;
  } catch (err) {
    logger.debug(`${image}: no version label read (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  } finally {
    await client.close();
  }
}
