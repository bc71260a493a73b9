/**
 * The ssh command line, as a pure function of the options: every connection
 * shares one ControlMaster per host, never prompts, verifies host keys.
 */
import type { SshTarget } from "./target";

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
}

/** Options before the destination; the remote command follows them. */
export function sshArgs(target: SshTarget, o: SshArgsOptions): string[] {
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
    "ControlMaster=auto",
    "-o",
    `ControlPath=${o.controlPath}`,
    "-o",
    `ControlPersist=${o.controlPersistSeconds}`,
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
  if (target.jump) args.push("-J", target.jump);
  if (target.port) args.push("-p", String(target.port));
  if (target.user) args.push("-l", target.user);
  args.push(target.host);
  return args;
}
