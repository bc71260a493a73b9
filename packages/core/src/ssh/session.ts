/**
 * OpenSSH-client transport. An SshSession owns a private 0700 temp dir (key,
 * known_hosts, control sockets); each host gets one multiplexed ControlMaster
 * connection for the whole deploy, so commands cost no new handshake.
 * Remote commands are argument lists, quoted with shellCommand() — never raw strings.
 */
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecError, ExecTimeoutError } from "../errors";
import { execAttached } from "../exec/attached";
import { type ExecResult, exec } from "../exec/exec";
import { type HeldProcess, startHeld } from "../exec/held";
import { shellCommand } from "../exec/quote";
import { type Logger, silentLogger } from "../log";
import { scriptOf } from "../remote";
import { sshArgs } from "./args";
import { SshError } from "./errors";
import { describeTarget, type SshTarget } from "./target";

export interface SshSessionOptions {
  /** known_hosts file to verify host keys against (default: the user's ~/.ssh/known_hosts). */
  knownHostsFile?: string;
  /** known_hosts lines (e.g. from a secret); written to the session dir and used instead of knownHostsFile. */
  knownHosts?: string;
  /** Skip host key verification. Dangerous: a warning is logged for every host. */
  insecureIgnoreHostKey?: boolean;
  /** Private key file. */
  identityFile?: string;
  /** Private key material; written 0600 into the session dir and removed on close. */
  privateKey?: string;
  /** Seconds to wait for a TCP connection (default 10). */
  connectTimeoutSeconds?: number;
  /**
   * Wall-clock limit of one remote command unless the call sets its own (default 2 min): a stuck
   * docker or a half-dead link then fails the operation instead of holding it, and its lock, for hours.
   */
  commandTimeoutMs?: number;
  logger?: Logger;
}

/** deploy.command-timeout's default. */
export const COMMAND_TIMEOUT_MS = 2 * 60_000;

export interface RemoteRunOptions {
  /** Sent to the remote command's stdin; how secrets travel. */
  input?: string | Buffer;
  /** Return the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  /** Stream output lines to the logger. */
  stream?: boolean;
  /** Values masked in logs and errors. */
  secrets?: readonly string[];
  /** Each output line as it comes, not kept (see ExecOptions.onLine). */
  onLine?: (line: string) => void;
  /**
   * How long this command waits on the host on purpose (for a lock, a health gate, a pull, each
   * with its own timeout there): its limit is that plus the session's commandTimeoutMs.
   */
  waitsMs?: number;
  /** This call's own wall-clock limit instead; 0 = none (`logs --follow`). */
  timeoutMs?: number;
}

/** What the deploy needs from a host: run an argument list there. */
export interface RemoteHost {
  /** `user@host:port`, for messages. */
  readonly name: string;
  readonly target: SshTarget;
  run(args: readonly string[], options?: RemoteRunOptions): Promise<ExecResult>;
  /**
   * Start a command that runs until released, or until this side dies or the connection is
   * cut (its stdin then ends). A host without it cannot tie a lock to its holder's life.
   */
  hold?(args: readonly string[]): HeldProcess;
  /**
   * Run a command attached to this process's stdin, stdout and stderr (with `tty`, on a remote
   * terminal: `ssh -t`); settles with its exit code. For `powertrain run`.
   */
  attach?(args: readonly string[], options: { tty: boolean }): Promise<number>;
}

export class SshSession {
  private readonly connections = new Map<string, SshConnection>();

  private constructor(
    readonly dir: string,
    private readonly options: SshSessionOptions,
    private readonly identityFile: string | undefined,
    private readonly knownHostsFile: string | undefined,
  ) {}

  static async create(options: SshSessionOptions = {}): Promise<SshSession> {
    const dir = await mkdtemp(join(tmpdir(), "pt-ssh-"));
    await chmod(dir, 0o700);
    let identityFile = options.identityFile;
    if (options.privateKey) {
      identityFile = join(dir, "id");
      // ssh refuses keys without a final newline, and keys readable by others.
      await writeFile(identityFile, options.privateKey.replace(/\r\n/g, "\n").trimEnd() + "\n", {
        mode: 0o600,
      });
    }
    let knownHostsFile = options.knownHostsFile;
    if (options.knownHosts) {
      knownHostsFile = join(dir, "known_hosts");
      await writeFile(knownHostsFile, options.knownHosts.trimEnd() + "\n", { mode: 0o600 });
    }
    return new SshSession(dir, options, identityFile, knownHostsFile);
  }

  /**
   * The host's connection, opened (and its host key checked) on first use; with
   * `lazy`, by its first command instead, which saves a round trip (connection
   * problems then surface from that command).
   */
  async connect(target: SshTarget, options: { lazy?: boolean } = {}): Promise<SshConnection> {
    const key = describeTarget(target) + (target.jump ? ` via ${target.jump}` : "");
    let conn = this.connections.get(key);
    if (!conn) {
      const logger = this.options.logger ?? silentLogger;
      if (this.options.insecureIgnoreHostKey) {
        logger.warn(
          `host key verification is DISABLED for ${describeTarget(target)}: anyone on the network path can impersonate it`,
        );
      }
      const controlPath = join(this.dir, `c${this.connections.size}`);
      const jumpLog = target.jump ? join(this.dir, `jump${this.connections.size}.log`) : undefined;
      const args = sshArgs(target, {
        controlPath,
        jumpLog,
        knownHostsFile: this.knownHostsFile,
        insecureIgnoreHostKey: this.options.insecureIgnoreHostKey,
        identityFile: this.identityFile,
        connectTimeoutSeconds: this.options.connectTimeoutSeconds ?? 10,
        controlPersistSeconds: 60,
      });
      conn = new SshConnection(target, args, controlPath, {
        knownHostsFile: this.knownHostsFile,
        logger,
        jumpLog,
        commandTimeoutMs: this.options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS,
      });
      this.connections.set(key, conn);
      if (options.lazy) return conn;
      try {
        await conn.open();
      } catch (err) {
        this.connections.delete(key);
        throw err;
      }
    }
    return conn;
  }

  /** Close every master connection and remove the session dir (key included). */
  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => c.close()));
    this.connections.clear();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export class SshConnection implements RemoteHost {
  readonly name: string;

  private readonly knownHostsFile: string | undefined;
  private readonly logger: Logger;
  /** Where the jump host's ssh writes its messages (ssh sends them nowhere with ControlPersist). */
  private readonly jumpLog: string | undefined;
  private readonly commandTimeoutMs: number;

  constructor(
    readonly target: SshTarget,
    private readonly args: string[],
    private readonly controlPath: string,
    o: { knownHostsFile?: string; logger: Logger; jumpLog?: string; commandTimeoutMs: number },
  ) {
    this.name = describeTarget(target);
    this.knownHostsFile = o.knownHostsFile;
    this.logger = o.logger;
    this.jumpLog = o.jumpLog;
    this.commandTimeoutMs = o.commandTimeoutMs;
  }

  /** Settles once the first command (which starts the master connection) has finished. */
  private opened?: Promise<unknown>;

  /** Start the master connection; fails with SshError on host key or connection problems. */
  async open(): Promise<void> {
    await this.run(["true"]);
  }

  async run(args: readonly string[], options: RemoteRunOptions = {}): Promise<ExecResult> {
    if (args.length === 0) throw new TypeError("a remote command needs at least one argument");
    // The first command starts the master; the others wait for it, so they ride on it.
    if (this.opened === undefined) {
      const first = this.runOnce(args, options);
      this.opened = first.catch(() => undefined);
      return first;
    }
    await this.opened;
    return this.runOnce(args, options);
  }

  private async runOnce(args: readonly string[], options: RemoteRunOptions): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? (options.waitsMs ?? 0) + this.commandTimeoutMs;
    const result = await exec("ssh", [...this.args, shellCommand(args)], {
      input: options.input,
      allowFailure: true,
      stream: options.stream,
      logger: this.logger,
      secrets: options.secrets,
      onLine: options.onLine,
      timeoutMs,
    }).catch((err: unknown) => {
      if (!(err instanceof ExecTimeoutError)) throw err;
      const what = scriptOf(args)?.name ?? args[0];
      throw new ExecTimeoutError(
        err.command,
        timeoutMs,
        `on ${this.name}: ${what} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped; the host or the connection to it is stuck`,
      );
    });
    // 255 is ssh's own failure; a remote command exiting 255 with no ssh message passes through.
    if (result.exitCode === 255) this.checkTransport(result.stderr);
    if (result.exitCode !== 0 && !options.allowFailure) {
      throw new ExecError(
        `ssh ${this.name} ${shellCommand(args)}`,
        result.exitCode,
        result.stderr || result.stdout,
        `on ${this.name}: ${args[0]} exited with code ${result.exitCode}${tail(result.stderr || result.stdout)}`,
      );
    }
    return result;
  }

  hold(args: readonly string[]): HeldProcess {
    return startHeld("ssh", [...this.args, shellCommand(args)], { logger: this.logger });
  }

  async attach(args: readonly string[], options: { tty: boolean }): Promise<number> {
    await this.opened;
    // ssh's own failures (255) print to the inherited stderr; the exit status passes through as it is.
    return execAttached("ssh", [options.tty ? "-t" : "-T", ...this.args, shellCommand(args)], {
      logger: this.logger,
    });
  }

  async close(): Promise<void> {
    await exec("ssh", ["-o", `ControlPath=${this.controlPath}`, "-O", "exit", "--", this.target.host], {
      allowFailure: true,
    });
  }

  private checkTransport(sshStderr: string): void {
    const stderr = this.jumpLog ? `${readJumpLog(this.jumpLog)}${sshStderr}` : sshStderr;
    if (
      /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known/i.test(
        stderr,
      )
    ) {
      const changed = /HAS CHANGED/.test(stderr);
      const where = this.knownHostsFile ?? "~/.ssh/known_hosts";
      throw new SshError(
        this.target.host,
        `host key verification failed for ${this.name}${this.target.jump ? ` or its jump host ${this.target.jump}` : ""} (${changed ? "the key changed since it was recorded in" : "not in"} known_hosts ${where})`,
        { hint: "add the host's key to known-hosts (ssh-keyscan, checked out of band)" },
      );
    }
    const sshMessage = stderr
      .split("\n")
      .map((l) => l.trim())
      .filter(
        (l) =>
          /^(ssh|kex_exchange|Connection|Permission denied|banner exchange|channel)/i.test(l) ||
          /: (Connection|Permission|Could not)/.test(l),
      );
    if (sshMessage.length > 0) {
      throw new SshError(
        this.target.host,
        `ssh to ${this.name} failed: ${sshMessage[sshMessage.length - 1]}`,
      );
    }
  }
}

function readJumpLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function tail(text: string): string {
  const lines = text.trim().split("\n").filter(Boolean);
  return lines.length ? `: ${lines.slice(-10).join("\n")}` : "";
}
