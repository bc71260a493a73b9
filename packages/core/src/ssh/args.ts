/**
 * The ssh command line, as a pure function of the options: every connection
 * shares one ControlMaster per host, never prompts, verifies host keys.
 */
import { shellCommand, shellQuote } from "../exec/quote";
import { parseHostSpec, type SshTarget } from "./target";

export interface SshArgsOptions {
  /** ControlPath socket of this host's master connection. */
  controlPath: string;
  /** known_hosts file host keys are checked against; undefined = ssh's default (~/.ssh/known_hosts). */
  knownHostsFile?: string;
  /** Accept any host key (explicit opt-out; the caller warns). */
  insecureIgnoreHostKey?: boolean;
  /** Private key file; ssh-agent (SSH_AUTH_SOCK) is used as well when present. */
  identityFile?: string;
  connectTimeoutSeconds: number;
  /** How long an idle master stays up; the deploy closes it with `-O exit` anyway. */
  controlPersistSeconds: number;
  /** File the jump hosts' ssh appends its messages to (with ControlPersist, ssh discards them). */
  jumpLog?: string;
}

/** Options before the destination; the remote command follows them. */
export function sshArgs(target: SshTarget, o: SshArgsOptions): string[] {
  const args = [
    "-o",
    "ControlMaster=auto",
    "-o",
    `ControlPath=${o.controlPath}`,
    "-o",
    `ControlPersist=${o.controlPersistSeconds}`,
    ...checkedConnection(o),
  ];
  if (target.jump) {
    const log = o.jumpLog ? ` 2>>${shellQuote(o.jumpLog).replace(/%/g, "%%")}` : "";
    args.push("-o", `ProxyCommand=${proxyCommand(parseJumps(target.jump), o)}${log}`);
  }
  args.push(...destination(target));
  return args;
}

/** What every connection gets, the jump hosts' included: no prompts, time limits, host keys checked, our key. */
function checkedConnection(o: SshArgsOptions): string[] {
  const args = [
    "-o",
    "BatchMode=yes",
    "-o",
    `ConnectTimeout=${o.connectTimeoutSeconds}`,
    "-o",
    "ServerAliveInterval=15",
    "-o",
    "ServerAliveCountMax=3",
    "-o",
    "LogLevel=ERROR",
  ];
  if (o.insecureIgnoreHostKey) {
    args.push("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null");
  } else {
    args.push("-o", "StrictHostKeyChecking=yes");
    if (o.knownHostsFile) args.push("-o", `UserKnownHostsFile=${o.knownHostsFile}`);
  }
  if (o.identityFile) args.push("-i", o.identityFile);
  return args;
}

function destination(target: SshTarget): string[] {
  const args: string[] = [];
  if (target.port) args.push("-p", String(target.port));
  if (target.user) args.push("-l", target.user);
  // After "--" nothing is an option: a host named "-oProxyCommand=…" can only fail to resolve.
  args.push("--", target.host);
  return args;
}

/** `[user@]host[:port]`, comma-separated for a chain, as `ssh -J` takes it. */
export function parseJumps(spec: string): SshTarget[] {
  return spec.split(",").map((hop) => parseHostSpec(hop));
}

/**
 * A ProxyCommand through the last jump host, reached through the ones before
 * it. Not `ssh -J`: the ssh it starts for a jump host gets none of our options,
 * so it would check that host's key against ~/.ssh/known_hosts instead of
 * ours, and not offer our key. The string goes to a shell (hence the quoting)
 * after ssh expands %-tokens (hence %% for a literal %, once more per level).
 */
export function proxyCommand(jumps: SshTarget[], o: SshArgsOptions): string {
  const last = jumps[jumps.length - 1]!;
  const before = jumps.slice(0, -1);
  const inner = before.length ? ["-o", `ProxyCommand=${proxyCommand(before, o)}`] : [];
  const options = shellCommand(["ssh", ...checkedConnection(o), ...inner]);
  const target = shellCommand(destination(last));
  // -W before the destination: after its "--" it would be a remote command.
  return `${options.replace(/%/g, "%%")} -W '[%h]:%p' ${target.replace(/%/g, "%%")}`;
}
