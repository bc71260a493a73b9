/**
 * Where a deploy-side command gets its environment: extract-config's resolved document (JSON text
 * or a file holding it), else powertrain.yml resolved here. The one loader the CLI and the actions
 * share; whatever it returns has been validated.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors";
import { DEFAULT_CONFIG_FILE, loadConfig } from "./load";
import { resolveEnvironment } from "./resolve";
import { parseResolvedDocument, type ResolvedEnvironment } from "./resolved";

/** Larger resolved documents are refused unread: a real one is a few KiB. */
const MAX_RESOLVED_BYTES = 1024 * 1024;

export interface EnvironmentSource {
  /** The environment asked for. */
  environment: string;
  /** extract-config's document: JSON text, or the path of a file holding it. */
  resolved?: string;
  /** powertrain.yml to resolve the environment from when no resolved document is given. */
  configFile?: string;
}

export async function loadEnvironment(source: EnvironmentSource): Promise<ResolvedEnvironment> {
  if (source.resolved === undefined) {
    const { config, file } = await loadConfig(source.configFile ?? DEFAULT_CONFIG_FILE);
    return resolveEnvironment(config, source.environment, file);
  }
  const inline = source.resolved.trimStart().startsWith("{");
  const where = inline ? "the resolved environment" : source.resolved;
  const text = inline ? source.resolved : await readResolved(source.resolved);
  if (text.length > MAX_RESOLVED_BYTES) {
    throw new UsageError(`${where}: larger than ${MAX_RESOLVED_BYTES} bytes; not a resolved environment`);
  }
  const env = parseResolvedDocument(text, where);
  if (env.name !== source.environment) {
    throw new UsageError(`${where} is the resolved environment "${env.name}", not "${source.environment}"`, {
      hint: `extract the config of ${source.environment}, or act on ${env.name}`,
    });
  }
  return env;
}

async function readResolved(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
