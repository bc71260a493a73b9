/**
 * A hosts' pull credential is bound to one registry (registry/credentials.ts pullCredentialsFor
 * finds it): an image — a rollback target from an old history line included — in any other
 * registry is pulled without it, so the password never goes elsewhere.
 */
import { registryOf } from "../image/reference";
import type { RegistryAuth } from "./types";

/** The credential for pulling `image`: only when it lives in the registry the credential is for. */
export function authForImage(auth: RegistryAuth | undefined, image: string): RegistryAuth | undefined {
  return auth && registryOf(image) === auth.registry ? auth : undefined;
}
