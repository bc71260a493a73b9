/** Reading a host's state in one round trip (observe.sh) and parsing it. */

import { parseSections, runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import { LABEL } from "./labels";
import { parseProcNet } from "./ports";
import {
  type AppScope,
  type HistoryEntry,
  type ObservedContainer,
  type ObservedHost,
  scopeKey,
} from "./types";

export function historyFile(scope: AppScope): string {
  return `${scopeKey(scope)}.history`;
}

/** observe.sh's arguments (also what lock.sh takes after its own, to observe in the same round trip). */
export function observeArgs(scope: AppScope, image: string): string[] {
  return [scope.app, scope.environment, image, historyFile(scope), scope.host ?? ""];
}

/** `image` is only checked for presence and HEALTHCHECK; pass "none" when it does not matter. */
export async function observeHost(host: RemoteHost, scope: AppScope, image: string): Promise<ObservedHost> {
  const { stdout } = await runScript(host, "observe", observeArgs(scope, image));
  return parseObservation(stdout, scope);
}

export function parseObservation(text: string, scope: AppScope): ObservedHost {
  const sections = parseSections(text);
  // observe.sh prints one object per line (only the fields we use); a whole inspect array also reads.
  const objects = [...parseJson(sections.containers ?? ""), ...parseJson(sections.inspect ?? "")];
  const containers = objects.filter((o) => "State" in o) as unknown as InspectJson[];
  const image = [...parseJson(sections.image ?? ""), ...objects.filter((o) => !("State" in o))][0] as
    | ImageJson
    | undefined;
  const tcp = parseProcNet(sections.tcp ?? "", "tcp");
  const udp = parseProcNet(sections.udp ?? "", "udp");
  for (const c of containers) {
    for (const [key, binds] of Object.entries(c.HostConfig?.PortBindings ?? {})) {
      for (const b of binds ?? [])
        if (Number(b.HostPort) > 0) (key.endsWith("/udp") ? udp : tcp).add(Number(b.HostPort));
    }
  }
  const test = image?.Config?.Healthcheck?.Test;
  return {
    containers: containers.filter((c) => inScope(c, scope)).map(toObserved),
    usedPorts: { tcp, udp },
    imagePresent: image !== undefined,
    imageHasHealthcheck: Array.isArray(test) && test.length > 0 && test[0] !== "NONE",
    history: parseDeployHistory(sections.history ?? ""),
  };
}

function inScope(c: InspectJson, scope: AppScope): boolean {
  const labels = c.Config.Labels ?? {};
  return (
    labels[LABEL.app] === scope.app &&
    labels[LABEL.environment] === scope.environment &&
    (scope.host === undefined || labels[LABEL.host] === scope.host)
  );
}

/** A JSON array, or one JSON object per line; what is not JSON is skipped. */
function parseJson(text: string): Record<string, unknown>[] {
  const t = text.trim();
  if (!t) return [];
  if (t.startsWith("[")) return JSON.parse(t) as Record<string, unknown>[];
  return t.split("\n").flatMap((line) => {
    try {
      const v = JSON.parse(line) as unknown;
      return v && typeof v === "object" ? [v as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

interface ImageJson {
  Config?: { Healthcheck?: { Test?: string[] } | null } | null;
}

interface InspectJson {
  Id: string;
  Name: string;
  Created: string;
  State: { Status: string; StartedAt?: string; Health?: { Status: string } };
  Config: { Labels?: Record<string, string> | null };
  NetworkSettings?: {
    Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
    Networks?: Record<string, { IPAddress?: string }> | null;
  };
  HostConfig?: { PortBindings?: Record<string, { HostPort: string }[] | null> | null };
}

function toObserved(c: InspectJson): ObservedContainer {
  const labels = c.Config.Labels ?? {};
  // PortBindings survive a stop (NetworkSettings.Ports does not): what a restart will publish.
  const ports: ObservedContainer["ports"] = [];
  for (const [key, binds] of Object.entries(c.HostConfig?.PortBindings ?? {})) {
    const [container, protocol = "tcp"] = key.split("/");
    for (const b of binds ?? []) {
      if (Number(b.HostPort) > 0)
        ports.push({ container: Number(container), host: Number(b.HostPort), protocol });
    }
  }
  const ip = Object.values(c.NetworkSettings?.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress;
  const container: ObservedContainer = {
    id: c.Id,
    name: c.Name.replace(/^\//, ""),
    state: c.State.Status,
    version: labels[LABEL.version] ?? "",
    digest: labels[LABEL.digest] ?? "",
    image: labels[LABEL.image] ?? "",
    deployId: labels[LABEL.deployId] ?? "",
    created: c.Created,
    ports: ports.sort((a, b) => a.host - b.host),
  };
  const revision = labels["org.opencontainers.image.revision"];
  if (revision) container.revision = revision;
  if (c.State.Health) container.health = c.State.Health.Status;
  if (c.State.Status === "running" && c.State.StartedAt) container.startedAt = c.State.StartedAt;
  if (ip) container.ip = ip;
  return container;
}

/** Lines `deployId version digest image time`, tab-separated. */
export function parseDeployHistory(text: string): HistoryEntry[] {
  return text
    .split("\n")
    .map((l) => l.split("\t"))
    .filter((cols) => cols.length >= 5)
    .map(([deployId, version, digest, image, time]) => ({
      deployId: deployId!,
      version: version!,
      digest: digest!,
      image: image!,
      time: time!,
    }));
}

export function formatDeployHistory(e: HistoryEntry): string {
  return [e.deployId, e.version, e.digest, e.image, e.time].join("\t");
}

/** The history file and line that record `entry` (what record-history.sh and unlock.sh take). */
export function historyRecord(scope: AppScope, entry: HistoryEntry): { file: string; line: string } {
  return { file: historyFile(scope), line: formatDeployHistory(entry) };
}

/** Append `entry` to the host's deploy history of the scope (best effort: history is informative). */
export async function recordHistory(host: RemoteHost, scope: AppScope, entry: HistoryEntry): Promise<void> {
  const { file, line } = historyRecord(scope, entry);
  await runScript(host, "record-history", [file, line], { allowFailure: true });
}
