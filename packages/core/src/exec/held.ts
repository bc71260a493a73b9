/**
 * A command kept running for as long as something is held: its stdin stays open and is never
 * written, so the far end (an ssh session's remote command reading stdin) sees end-of-file the
 * moment this process lets go — or dies, or loses its connection. Part of the one exec wrapper:
 * every external command still starts in this folder.
 */
import { spawn } from "node:child_process";
import { type Logger, silentLogger } from "../log";
import { shellCommand } from "./quote";

export interface HeldProcess {
  /** Settles with the exit code once the command ends, for whatever reason. */
  readonly exited: Promise<number>;
  /** First line of output (e.g. "HELD"), or undefined when it ended without one. */
  readonly ready: Promise<string | undefined>;
  /** Let go: close stdin, then kill it if it is still there after `graceMs`. */
  release(graceMs?: number): Promise<void>;
}

export function startHeld(file: string, args: readonly string[], o: { logger?: Logger } = {}): HeldProcess {
  (o.logger ?? silentLogger).debug(`$ ${shellCommand([file, ...args])} (held)`);
  const child = spawn(file, [...args], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let _err = "";
  const exited = new Promise<number>((resolve) => {
    child.once("error", (e) => {
      _err += String(e);
      resolve(-1);
    });
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : -1)));
  });
  const ready = new Promise<string | undefined>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    exited.then(() => resolve(out.split("\n")[0] || undefined));
  });
  child.stderr.on("data", (chunk: Buffer) => {
    _err += chunk.toString("utf8");
  });
  // A held command must not keep this process alive on its own.
  child.unref();
  return {
    exited,
    ready,
    async release(graceMs = 2000) {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGTERM"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
