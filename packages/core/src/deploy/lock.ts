/**
 * Per-host lock of an app+environment: an atomic `mkdir` under
 * ~/.powertrain/locks with an owner file (owner, time, deploy id, pid) and a
 * heartbeat the holder refreshes; a lock whose heartbeat stopped (a killed
 * deploy) is taken over with a warning.
 */
import { hostname, userInfo } from "node:os";
import type { Logger } from "../log";
import { parseSections, runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import { DeployError } from "./errors";
import { observeArgs, parseObservation } from "./observe";
import { type AppScope, type ObservedHost, scopeKey } from "./types";

export interface LockOptions {
  scope: AppScope;
  deployId: string;
  /** How long to wait for another deploy's lock. */
  timeoutMs: number;
  /** A lock without a heartbeat for this long is stale (default 30 s). */
  staleMs?: number;
  /** Observe the host in the same round trip, for this image (see observeHost). */
  observeImage?: string;
  logger: Logger;
}

const HEARTBEAT_EVERY_MS = 5_000;

export class HostLock {
  private timer?: NodeJS.Timeout;
  /** The host's state right after the lock was taken, when observeImage was given. */
  observed?: ObservedHost;

  private constructor(
    private readonly host: RemoteHost,
    private readonly name: string,
    private readonly deployId: string,
  ) {}

  static async acquire(host: RemoteHost, o: LockOptions): Promise<HostLock> {
    const name = `${scopeKey(o.scope)}.lock`;
    const owner = [
      `owner: ${safeUser()}@${hostname()}`,
      `time: ${new Date().toISOString()}`,
      `deploy-id: ${o.deployId}`,
      `pid: ${process.pid}`,
    ].join("\n");
    const staleS = Math.max(1, Math.round((o.staleMs ?? 30_000) / 1000));
    const timeoutS = Math.max(0, Math.round(o.timeoutMs / 1000));
    const lockArgs = [name, owner, String(staleS), String(timeoutS)];
    const observe = o.observeImage === undefined ? [] : observeArgs(o.scope, o.observeImage);
    const r = await runScript(host, "lock", [...lockArgs, ...observe], { allowFailure: true });
    const sections = parseSections(r.stdout);
    for (const line of sections[""]!.split("\n")) {
      if (line.startsWith("STALE ")) {
        o.logger.warn(`${host.name}: took over a stale deploy lock (${line.slice(6).trim()})`);
      }
    }
    if (r.exitCode === 3) {
      const holder = r.stdout
        .split("\n")
        .find((l) => l.startsWith("TIMEOUT "))
        ?.slice(8)
        .trim();
      throw new DeployError(
        `${host.name}: another deploy of ${o.scope.app} to ${o.scope.environment} holds the lock (${holder || "unknown owner"}); waited ${timeoutS}s`,
        { hint: "wait for it to finish, or raise deploy.lock-timeout" },
      );
    }
    if (r.exitCode !== 0 || !r.stdout.includes("ACQUIRED")) {
      throw new DeployError(`${host.name}: cannot take the deploy lock: ${(r.stderr || r.stdout).trim()}`);
    }
    const lock = new HostLock(host, name, o.deployId);
    if (sections.observe !== undefined) lock.observed = parseObservation(r.stdout, o.scope);
    lock.timer = setInterval(() => {
      runScript(host, "heartbeat", [name, o.deployId], { allowFailure: true }).catch(() => {});
    }, HEARTBEAT_EVERY_MS);
    lock.timer.unref();
    return lock;
  }

  private released = false;

  /** Release the lock (once; later calls do nothing), recording a history line first in the same round trip. */
  async release(record?: { file: string; line: string }): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    const history = record ? [record.file, record.line] : [];
    await runScript(this.host, "unlock", [this.name, this.deployId, ...history], { allowFailure: true });
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
