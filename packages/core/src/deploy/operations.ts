/** Rollback, status, logs and stop: the day-two operations over the same transport. */
import type { Logger } from "../log";
import { type RemoteHost, SshSession, type SshSessionOptions } from "../ssh/session";
import type { SshTarget } from "../ssh/target";
import { DeployError } from "./errors";
import { type DeployedInstance, deployHost, hostScope } from "./executor";
import { waitHealthy } from "./health";
import { newDeployId, registryOf } from "./labels";
import { HostLock } from "./lock";
import { formatDeployHistory, historyFile, observeHost } from "./observe";
import { healthMode, isServing } from "./planner";
import { RECORD_HISTORY } from "./scripts";
import type { AppScope, DeployEnvironment, ObservedContainer, RegistryAuth } from "./types";

export interface OperationRequest {
  environment: DeployEnvironment;
  hosts?: SshTarget[];
  /** See HostDeployOptions.hostScope. */
  hostScope?: boolean;
  ssh: SshSessionOptions;
  logger: Logger;
}

/** Run `fn` against every host, one after the other, over one session. */
async function eachHost<T>(req: OperationRequest, fn: (host: RemoteHost) => Promise<T>): Promise<T[]> {
  const session = await SshSession.create({ ...req.ssh, logger: req.logger });
  try {
    const out: T[] = [];
    for (const target of req.hosts ?? req.environment.hosts)
      out.push(await fn(await session.connect(target)));
    return out;
  } finally {
    await session.close();
  }
}

export interface ContainerStatus {
  host: string;
  container: string;
  state: string;
  health?: string;
  version: string;
  digest: string;
  ports: number[];
  startedAt?: string;
  uptimeSeconds?: number;
}

export async function status(req: OperationRequest): Promise<ContainerStatus[]> {
  const { app, name } = req.environment;
  const perHost = await eachHost(req, async (host) => {
    const observed = await observeHost(
      host,
      hostScope({ app, environment: name }, host, req.hostScope),
      "none",
    );
    return observed.containers.map((c) => toStatus(host.name, c));
  });
  return perHost.flat();
}

function toStatus(host: string, c: ObservedContainer, now = Date.now()): ContainerStatus {
  const s: ContainerStatus = {
    host,
    container: c.name,
    state: c.state,
    version: c.version,
    digest: c.digest,
    ports: c.ports.map((p) => p.host),
  };
  if (c.health) s.health = c.health;
  if (c.startedAt) {
    s.startedAt = c.startedAt;
    s.uptimeSeconds = Math.max(0, Math.round((now - Date.parse(c.startedAt)) / 1000));
  }
  return s;
}

export async function logs(
  req: OperationRequest & { tail: number },
  write: (line: string) => void,
): Promise<void> {
  const { app, name } = req.environment;
  await eachHost(req, async (host) => {
    const observed = await observeHost(
      host,
      hostScope({ app, environment: name }, host, req.hostScope),
      "none",
    );
    for (const c of observed.containers.filter(isServing)) {
      const r = await host.run(["docker", "logs", "--tail", String(req.tail), "--timestamps", c.name], {
        allowFailure: true,
      });
      for (const line of (r.stdout + r.stderr).split("\n").filter(Boolean))
        write(`${host.name} ${c.name} | ${line}`);
    }
  });
}

/** Stop every serving container of the app (they stay, stopped, for a later rollback or start). */
export async function stop(req: OperationRequest & { lockTimeoutMs?: number }): Promise<ContainerStatus[]> {
  const { app, name } = req.environment;
  const deployId = newDeployId();
  const perHost = await eachHost(req, async (host) => {
    const lock = await HostLock.acquire(host, {
      scope: hostScope({ app, environment: name }, host, req.hostScope),
      deployId,
      timeoutMs: req.lockTimeoutMs ?? req.environment.deploy.lockTimeoutMs,
      logger: req.logger,
    });
    try {
      const serving = (
        await observeHost(host, hostScope({ app, environment: name }, host, req.hostScope), "none")
      ).containers.filter(isServing);
      if (serving.length) await host.run(["docker", "stop", ...serving.map((c) => c.name)]);
      req.logger.info(`${host.name}: stopped ${serving.length} container(s)`);
      return serving.map((c) => toStatus(host.name, { ...c, state: "exited" }));
    } finally {
      await lock.release();
    }
  });
  return perHost.flat();
}

export interface RollbackRequest extends OperationRequest {
  /** Version to go back to (default: the one before the current). */
  to?: string;
  registryAuth?: RegistryAuth;
  bindAddress?: string;
  lockStaleMs?: number;
}

export interface RollbackResult {
  host: string;
  /** restart = kept containers started again; redeploy = previous digest deployed anew. */
  method: "restart" | "redeploy";
  from?: string;
  to: string;
  instances: DeployedInstance[];
}

export async function rollback(req: RollbackRequest): Promise<RollbackResult[]> {
  const env = req.environment;
  const deployId = newDeployId();
  return eachHost(req, async (host) => {
    const scope = hostScope({ app: env.app, environment: env.name }, host, req.hostScope);
    const lock = await HostLock.acquire(host, {
      scope,
      deployId,
      timeoutMs: env.deploy.lockTimeoutMs,
      staleMs: req.lockStaleMs,
      observeImage: "none",
      logger: req.logger,
    });
    let redeployImage: { image: string; version: string; digest: string; from?: string } | undefined;
    try {
      const observed = lock.observed ?? (await observeHost(host, scope, "none"));
      const serving = observed.containers.filter(isServing);
      const current = serving.sort((a, b) => b.created.localeCompare(a.created))[0];
      const kept = observed.containers
        .filter((c) => !isServing(c) && c.digest && c.digest !== current?.digest)
        .filter((c) => (req.to ? c.version === req.to : true))
        .sort((a, b) => b.created.localeCompare(a.created));
      const target = kept[0];
      if (target) {
        const group = kept.filter((c) => c.digest === target.digest && c.state !== "created");
        return await restartKept(host, req, scope, group, serving, deployId);
      }
      const entry = previousEntry(observed.history, current?.digest, req.to);
      if (!entry) {
        throw new DeployError(
          `${host.name}: nothing to roll back to${req.to ? ` (no kept containers or history of ${req.to})` : " (no kept containers and no earlier deploy recorded)"}`,
        );
      }
      redeployImage = {
        image: entry.image,
        version: entry.version,
        digest: entry.digest,
        from: current?.version,
      };
    } finally {
      await lock.release();
    }
    req.logger.info(`${host.name}: no kept containers of ${redeployImage.version}; deploying it again`);
    const result = await deployHost(
      host,
      {
        app: env.app,
        environment: env.name,
        version: redeployImage.version,
        digest: redeployImage.digest,
        image: redeployImage.image,
        deployId,
        run: env.run,
        keep: env.deploy.keep,
      },
      {
        healthTimeoutMs: env.deploy.healthTimeoutMs,
        lockTimeoutMs: env.deploy.lockTimeoutMs,
        lockStaleMs: req.lockStaleMs,
        // Credentials are for whatever registry the earlier image came from.
        registryAuth: req.registryAuth && { ...req.registryAuth, registry: registryOf(redeployImage.image) },
        bindAddress: req.bindAddress,
        hostScope: req.hostScope,
        logger: req.logger,
      },
    );
    return {
      host: host.name,
      method: "redeploy",
      from: redeployImage.from,
      to: redeployImage.version,
      instances: result.deployed,
    };
  });
}

async function restartKept(
  host: RemoteHost,
  req: RollbackRequest,
  scope: AppScope,
  group: ObservedContainer[],
  serving: ObservedContainer[],
  deployId: string,
): Promise<RollbackResult> {
  const env = req.environment;
  const t0 = Date.now();
  const names = group.map((c) => c.name);
  const to = group[0]!.version;
  // docker start takes containers one after the other; start them side by side.
  await host.run([
    "sh",
    "-c",
    'p=""; for c; do docker start "$c" >/dev/null & p="$p $!"; done; rc=0; for j in $p; do wait "$j" || rc=1; done; exit $rc',
    "sh",
    ...names,
  ]);
  // Only without a configured check does the image's HEALTHCHECK matter (one more look).
  const imageHasHealthcheck =
    !env.run.health && (await observeHost(host, scope, group[0]!.image || "none")).imageHasHealthcheck;
  const mode = healthMode(env.run, imageHasHealthcheck);
  const health = await waitHealthy(host, names, mode, env.run, env.deploy.healthTimeoutMs);
  if (!health.ok) {
    await host.run(["docker", "stop", ...names], { allowFailure: true });
    throw new DeployError(
      `${host.name}: rollback to ${to} failed, the current version keeps serving: ${health.reason}`,
    );
  }
  if (serving.length)
    await host.run(["docker", "stop", ...serving.map((c) => c.name)], { allowFailure: true });
  const entry = {
    deployId,
    version: to,
    digest: group[0]!.digest,
    image: group[0]!.image,
    time: new Date().toISOString(),
  };
  await host.run(["sh", "-c", RECORD_HISTORY, "sh", historyFile(scope), formatDeployHistory(entry)], {
    allowFailure: true,
  });
  req.logger.info(`${host.name}: rolled back to ${to} in ${Date.now() - t0} ms (kept containers restarted)`);
  return {
    host: host.name,
    method: "restart",
    from: serving[0]?.version,
    to,
    instances: group.map((c) => ({
      host: host.name,
      container: c.name,
      port: c.ports[0]?.host,
      version: c.version,
      digest: c.digest,
    })),
  };
}

/** The history entry to go back to: `to` if given, else the newest one of another digest than the current. */
function previousEntry(
  history: { version: string; digest: string; image: string; deployId: string; time: string }[],
  currentDigest: string | undefined,
  to?: string,
) {
  const newest = [...history].reverse();
  if (to) return newest.find((e) => e.version === to);
  return newest.find((e) => e.digest !== currentDigest);
}
