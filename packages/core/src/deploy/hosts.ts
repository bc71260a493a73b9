/**
 * The host seam: how the SSH engine gets its hosts. By default an SshSession (one multiplexed
 * connection per host); a test hands in its own session (a fake host that answers the remote
 * scripts by name), so the orchestration above it runs without sshd.
 */
import type { Logger } from "../log";
import { type RemoteHost, SshSession, type SshSessionOptions } from "../ssh/session";
import type { SshTarget } from "../ssh/target";

/** Connections to hosts for the length of one operation. */
export interface HostSession {
  /** The host's connection; with `lazy`, opened by its first command. */
  connect(target: SshTarget, options?: { lazy?: boolean }): Promise<RemoteHost>;
  close(): Promise<void>;
}

/** Opens a HostSession; SshSession.create unless the request names another. */
export type OpenHosts = (options: SshSessionOptions & { logger: Logger }) => Promise<HostSession>;

export interface HostsRequest {
  ssh: SshSessionOptions;
  /** Its deploy.command-timeout limits every remote command. */
  environment?: { deploy: { commandTimeoutMs?: number } };
  logger: Logger;
  /** Default: SSH. */
  openHosts?: OpenHosts;
}

/** Run `fn` with a session that is closed afterwards, whatever happens. */
export async function withHosts<T>(req: HostsRequest, fn: (session: HostSession) => Promise<T>): Promise<T> {
  const open = req.openHosts ?? ((o) => SshSession.create(o));
  const commandTimeoutMs = req.ssh.commandTimeoutMs ?? req.environment?.deploy.commandTimeoutMs;
  const session = await open({
    ...req.ssh,
    ...(commandTimeoutMs ? { commandTimeoutMs } : {}),
    logger: req.logger,
  });
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** Run `fn` against every target, one after the other, over one session; the first failure stops it. */
export function forEachHost<T>(
  req: HostsRequest,
  targets: readonly SshTarget[],
  fn: (host: RemoteHost) => Promise<T>,
): Promise<T[]> {
  return withHosts(req, async (session) => {
    const out: T[] = [];
    for (const target of targets) out.push(await fn(await session.connect(target)));
    return out;
  });
}
