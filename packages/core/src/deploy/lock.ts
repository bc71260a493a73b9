/**
 * Per-host lock of an app+environment: an atomic `mkdir` under
 * ~/.powertrain/locks with an owner file (owner, time, deploy id, pid) and a
 * heartbeat the holder refreshes; a lock whose heartbeat stopped (a killed
 * deploy) is taken over with a warning.
 */
import { hostname, userInfo } from "node:os";
import type { HeldProcess } from "../exec/held";
import type { Logger } from "../log";
import { parseSections, REMOTE_SCRIPTS, runScript } from "../remote";
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
/** A heartbeat that takes longer is a lost one: the host or the link is stuck. */
const HEARTBEAT_LIMIT_MS = 15_000;

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
    const r = await runScript(host, "lock", [...lockArgs, ...observe], {
      allowFailure: true,
      waitsMs: o.timeoutMs,
    }).catch(async (err: unknown) => {
      // Stopped at its time limit (a wedged docker in the observe part), the script may hold the
      // lock with nothing to keep it: give it back if it is ours, so the next deploy need not wait.
      await runScript(host, "unlock", [name, o.deployId], { allowFailure: true }).catch(() => {});
      throw err;
    });
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
      // The lock's own lines only (never the host's state that follows them), their last few.
      const said = (r.stderr.trim() || sections[""]!.trim()).split("\n").slice(-5).join("\n");
      throw new DeployError(
        `${host.name}: cannot take the deploy lock: ${said || `exit code ${r.exitCode}`}`,
      );
    }
    const lock = new HostLock(host, name, o.deployId);
    if (sections.observe !== undefined) lock.observed = parseObservation(r.stdout, o.scope);
    await lock.holdWhileConnected(o.logger);
    lock.timer = setInterval(() => void lock.beat(), HEARTBEAT_EVERY_MS);
    lock.timer.unref();
    return lock;
  }

  private released = false;
  private holder?: HeldProcess;
  /** Why the lock is no longer ours, once it is not. */
  private lost?: string;

  /**
   * The lock's life tied to this connection (lock-hold.sh): if this process dies or the connection
   * is cut, the next deploy takes the lock over at once. Hosts without flock fall back to the
   * heartbeat alone.
   */
  private async holdWhileConnected(log: Logger): Promise<void> {
    const holder = this.host.hold?.([
      "sh",
      "-c",
      REMOTE_SCRIPTS["lock-hold"],
      "sh",
      this.name,
      this.deployId,
    ]);
    if (!holder) return;
    const first = await holder.ready;
    if (first !== "HELD") {
      await holder.release(0);
      if (first === "NOFLOCK") {
        log.debug(
          `${this.host.name}: no flock on the host; a dead deploy's lock frees after its heartbeat stops`,
        );
        return;
      }
      throw new DeployError(
        `${this.host.name}: cannot hold the deploy lock: ${first ?? "the holder ended at once"}`,
      );
    }
    this.holder = holder;
    void holder.exited.then(() => {
      if (!this.released) this.lose("its connection to the host ended");
    });
  }

  /** Refresh the heartbeat; a lock that is not ours any more is lost, and the deploy stops. */
  private async beat(): Promise<void> {
    try {
      const r = await runScript(this.host, "heartbeat", [this.name, this.deployId], {
        allowFailure: true,
        timeoutMs: HEARTBEAT_LIMIT_MS,
      });
      if (r.exitCode !== 0 && !this.released) this.lose("another deploy took it over");
    } catch (err) {
      if (!this.released)
        this.lose(`the heartbeat failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private lose(why: string): void {
    this.lost ??= why;
    clearInterval(this.timer);
  }

  /** Throws when the lock was lost: what follows must not run under someone else's lock. */
  check(): void {
    if (this.lost) {
      throw new DeployError(
        `${this.host.name}: the deploy lock is lost (${this.lost}); stopping before changing more`,
      );
    }
  }

  /** Release the lock (once; later calls do nothing), recording a history line first in the same round trip. */
  async release(record?: { file: string; line: string }): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    const history = record ? [record.file, record.line] : [];
    await runScript(this.host, "unlock", [this.name, this.deployId, ...history], { allowFailure: true });
    await this.holder?.release();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
