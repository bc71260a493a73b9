/**
 * Which registry the hosts' pull credentials belong to. A credential is bound to one registry: the
 * environment's configured image.registry when there is one, else the registry of the image being
 * deployed. An image (or a rollback target) in any other registry gets none — a baked config or an
 * old history line must not be able to send the password elsewhere.
 */
import { registryOf } from "../image/reference";
import type { Credentials } from "../registry/credentials";
import type { RegistryAuth } from "./types";

export function pullAuth(
  credentials: Credentials | undefined,
  o: { image?: string; configuredRegistry?: string },
): RegistryAuth | undefined {
  if (!credentials) return undefined;
  const registry = o.configuredRegistry ?? (o.image ? registryOf(o.image) : undefined);
  if (!registry) return undefined;
  if (o.image && o.configuredRegistry && registryOf(o.image) !== o.configuredRegistry) return undefined;
  return { registry, ...credentials };
}

/** The credential for pulling `image`: only when it lives in the registry the credential is for. */
export function authForImage(auth: RegistryAuth | undefined, image: string): RegistryAuth | undefined {
  return auth && registryOf(image) === auth.registry ? auth : undefined;
}
