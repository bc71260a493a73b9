/** What the Swarm engine's operations share: the manager, the service as observed, its tasks. */
import type { DeployedInstance } from "../deploy/executor";
import { shortDigest } from "../image/reference";
import type { Logger } from "../log";
import { runScript } from "../remote";
import type { SshSessionOptions } from "../ssh/session";
import type { SshTarget } from "../ssh/target";
import type { ManagerChoice, SwarmManager } from "./manager";
import { type ObservedTask, parseSwarmObservation, type SwarmObservation } from "./observe";
import type { SwarmEnvironment } from "./spec";

export function managerChoice(
  req: { environment: SwarmEnvironment; hosts?: SshTarget[]; ssh: SshSessionOptions; logger: Logger },
  context?: string,
): ManagerChoice {
  const commandTimeoutMs = req.ssh.commandTimeoutMs ?? req.environment.deploy.commandTimeoutMs;
  const ssh = commandTimeoutMs ? { ...req.ssh, commandTimeoutMs } : req.ssh;
  return { hosts: req.hosts ?? req.environment.hosts, context, ssh, logger: req.logger };
}

export async function observeService(manager: SwarmManager, name: string): Promise<SwarmObservation> {
  const r = await runScript(manager, "observe-service", [name], { allowFailure: false });
  return parseSwarmObservation(r.stdout);
}

export function runningOf(obs: SwarmObservation, digest: string): ObservedTask[] {
  return obs.tasks.filter(
    (t) => t.desiredState === "running" && t.state === "running" && t.digest === digest,
  );
}

export function instances(tasks: ObservedTask[], version: string): DeployedInstance[] {
  return tasks.map((t) => ({
    host: t.node,
    container: t.name,
    port: t.ports[0]?.host,
    version,
    digest: t.digest,
  }));
}

/** Digest → version name, from what the service knows (current and previous spec). */
export function versionLookup(obs: SwarmObservation, version: string, digest: string): (d: string) => string {
  const known = new Map<string, string>([[digest, version]]);
  if (obs.service) known.set(obs.service.digest, obs.service.version);
  if (obs.service?.previous) known.set(obs.service.previous.digest, obs.service.previous.version);
  return (d) => known.get(d) ?? (d ? shortDigest(d) : "-");
}

export function failedTask(obs: SwarmObservation, digest: string): ObservedTask | undefined {
  return obs.tasks
    .filter((t) => t.digest === digest && (t.state === "failed" || t.state === "rejected" || t.error))
    .sort((a, b) => b.timestamp.localeCompare(a.timestamp))[0];
}

/** The last log lines of a failed task, to say why without another command. */
export async function lastLogs(manager: SwarmManager, task: ObservedTask | undefined): Promise<string> {
  if (!task) return "";
  const r = await manager.run(["docker", "service", "logs", "--raw", "--tail", "10", task.id], {
    allowFailure: true,
  });
  const text = (r.stdout + r.stderr).trim();
  return text && r.exitCode === 0 ? `\nlast log lines of ${task.name}:\n${text}` : "";
}
