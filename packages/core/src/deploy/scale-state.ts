/**
 * The instance count `powertrain scale` chose, remembered per host and scope in the host's state
 * directory (`<app>.<environment>[.host].scale`), so the next deploy keeps it. It holds while the
 * configured run.instances is the one it was scaled from; a deploy with --instances, or a changed
 * run.instances, says otherwise and the record is forgotten.
 */
import { runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import { type AppScope, scopeKey } from "./types";

export interface ScaleRecord {
  instances: number;
  /** run.instances when it was scaled: a deploy with another configured count does not keep it. */
  configured: number;
  version: string;
  time: string;
}

const scaleFile = (scope: AppScope) => `${scopeKey(scope)}.scale`;

export async function readScale(host: RemoteHost, scope: AppScope): Promise<ScaleRecord | undefined> {
  const r = await runScript(host, "state", ["read", scaleFile(scope)]);
  try {
    const record = JSON.parse(r.stdout) as Partial<ScaleRecord>;
    return Number.isInteger(record.instances) && Number.isInteger(record.configured)
      ? (record as ScaleRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function writeScale(host: RemoteHost, scope: AppScope, record: ScaleRecord): Promise<void> {
  await runScript(host, "state", ["write", scaleFile(scope)], { input: JSON.stringify(record) });
}

export async function forgetScale(host: RemoteHost, scope: AppScope): Promise<void> {
  await runScript(host, "state", ["remove", scaleFile(scope)]);
}

/**
 * The instance count a deploy starts on `host`: the scaled one while it applies, else `configured`.
 * `explicit` = the deploy was given --instances (or the action's instances input).
 */
export async function deployInstances(
  host: RemoteHost,
  scope: AppScope,
  configured: number,
  o: { explicit?: boolean; dryRun?: boolean },
): Promise<number> {
  const record = await readScale(host, scope);
  if (!record) return configured;
  if (!o.explicit && record.configured === configured) return record.instances;
  if (!o.dryRun) await forgetScale(host, scope);
  return configured;
}
