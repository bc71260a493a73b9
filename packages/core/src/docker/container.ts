/** Containers and networks: the few docker calls the build needs beyond `build`. */
import type { Logger } from "../log";
import { docker } from "./docker";

/** Create (never start) a container of `image`; returns its ID. */
export async function createContainer(image: string, logger: Logger, name?: string): Promise<string> {
  const args = ["create", ...(name ? ["--name", name] : []), image];
  // An image without CMD/ENTRYPOINT cannot be created without a command; any will do, it never runs.
  const r = await docker(args, { logger, allowFailure: true });
  if (r.exitCode === 0) return r.stdout.trim();
  const again = await docker([...args, "/powertrain-never-runs"], { logger });
  return again.stdout.trim();
}

/** Copy `source` out of a container into `destination` on this machine. */
export async function copyFromContainer(
  container: string,
  source: string,
  destination: string,
  logger: Logger,
): Promise<boolean> {
  const r = await docker(["cp", `${container}:${source}`, destination], { logger, allowFailure: true });
  if (r.exitCode !== 0) logger.debug(`docker cp ${source}: ${r.stderr.trim()}`);
  return r.exitCode === 0;
}

/** Remove a container whatever its state; never throws (it runs in clean-up paths). */
export async function removeContainer(container: string, logger: Logger): Promise<void> {
  const r = await docker(["rm", "--force", "--volumes", container], { logger, allowFailure: true });
  if (r.exitCode !== 0 && !/No such container/i.test(r.stderr)) {
    logger.warn(`could not remove container ${container}: ${r.stderr.trim()}`);
  }
}

export async function createNetwork(name: string, logger: Logger, labels: Record<string, string> = {}) {
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  await docker(["network", "create", ...labelArgs, name], { logger });
}

/** Remove a network; never throws. */
export async function removeNetwork(name: string, logger: Logger): Promise<void> {
  const r = await docker(["network", "rm", name], { logger, allowFailure: true });
  if (r.exitCode !== 0 && !/not found/i.test(r.stderr)) {
    logger.warn(`could not remove network ${name}: ${r.stderr.trim()}`);
  }
}

export interface ContainerState {
  status: string;
  running: boolean;
  exitCode: number;
  /** "starting", "healthy", "unhealthy", or undefined without a health check. */
  health?: string;
}

export async function containerState(container: string, logger: Logger): Promise<ContainerState> {
  const r = await docker(["container", "inspect", "--format", "{{json .State}}", container], { logger });
  const s = JSON.parse(r.stdout) as {
    Status: string;
    Running: boolean;
    ExitCode: number;
    Health?: { Status: string };
  };
  return { status: s.Status, running: s.Running, exitCode: s.ExitCode, health: s.Health?.Status };
}

/** The last lines of a container's log, for error messages. */
export async function containerLogTail(container: string, logger: Logger, lines = 20): Promise<string> {
  const r = await docker(["logs", "--tail", String(lines), container], { logger, allowFailure: true });
  return `${r.stdout}${r.stderr}`.trim();
}
