/** Where to connect: a host plus optional user, port and jump host (as `ssh -J` takes it). */
export interface SshTarget {
  host: string;
  user?: string;
  port?: number;
  jump?: string;
}

import { UsageError } from "../errors";

const HOST_SPEC = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^@:\s[\]]+)(?::(\d{1,5}))?$/;

/** Parse `[user@]host[:port]` (IPv6 in brackets) into a target. */
export function parseHostSpec(spec: string): SshTarget {
  const m = HOST_SPEC.exec(spec.trim());
  if (!m) throw new UsageError(`host "${spec}": expected [user@]host[:port]`);
  const host = m[2]!.replace(/^\[|\]$/g, "");
  if (host.startsWith("-")) throw new UsageError(`host "${spec}": a host name cannot start with "-"`);
  const target: SshTarget = { host };
  if (m[1]) target.user = m[1];
  if (m[3]) {
    const port = Number(m[3]);
    if (port < 1 || port > 65535) throw new UsageError(`host "${spec}": port must be 1-65535`);
    target.port = port;
  }
  return target;
}

/** `user@host:port`, for messages and reports. */
export function describeTarget(t: SshTarget): string {
  const host = t.host.includes(":") ? `[${t.host}]` : t.host;
  return `${t.user ? `${t.user}@` : ""}${host}${t.port ? `:${t.port}` : ""}`;
}
