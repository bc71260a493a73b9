/**
 * A per-registry credential list, as a team keeps it in one secret for
 * several registries (`registry-auths` input, `--registry-auths` file,
 * POWERTRAIN_REGISTRY_AUTHS): YAML or JSON, either a list
 *
 *     - registry: ghcr.io
 *       username: bot
 *       password: ghp_…
 *
 * or a map `{ "ghcr.io": { username, password } }`. Errors name the entry,
 * never a value.
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { UsageError } from "../errors";
import type { Credentials } from "./credentials";
import { normalizeRegistryHost } from "./registry-host";

export interface RegistryCredentialEntry {
  /** `host[:port]` (normalized). */
  registry: string;
  credentials: Credentials;
}

export function parseRegistryAuths(text: string, origin = "registry-auths"): RegistryCredentialEntry[] {
  if (!text.trim()) return [];
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    // The parser's message may quote the text, and the text holds secrets.
    throw new UsageError(`${origin}: not valid YAML or JSON`);
  }
  if (value === null || value === undefined) return [];
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((e, i) => [`entry ${i + 1}`, e])
    : typeof value === "object"
      ? Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          { registry: k, ...(v as object) },
        ])
      : [];
  if (entries.length === 0 && !Array.isArray(value)) {
    throw new UsageError(
      `${origin}: expected a list of {registry, username, password} or a map of registry → {username, password}`,
    );
  }
  const seen = new Set<string>();
  return entries.map(([name, raw]) => {
    const e = (raw ?? {}) as Record<string, unknown>;
    const registry = typeof e.registry === "string" ? normalizeRegistryHost(e.registry) : "";
    const username = typeof e.username === "string" ? e.username : "";
    const password = typeof e.password === "string" ? e.password : typeof e.token === "string" ? e.token : "";
    const missing = [!registry && "registry", !username && "username", !password && "password"].filter(
      Boolean,
    );
    if (missing.length)
      throw new UsageError(`${origin} ${name}: ${missing.join(", ")} missing or not a string`);
    if (seen.has(registry)) throw new UsageError(`${origin}: ${registry} is listed twice`);
    seen.add(registry);
    return { registry, credentials: { username, password } };
  });
}

export async function readRegistryAuthsFile(file: string): Promise<RegistryCredentialEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read registry auths ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  return parseRegistryAuths(text, file);
}
