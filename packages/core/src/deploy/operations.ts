import { runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import type { SshTarget } from "../ssh/target";
import { runFor } from "./env";
import { DeployError } from "./errors";
import { type DeployedInstance, deployedInstance, deployHost, hostScope } from "./executor";
import { waitHealthy } from "./health";
import { forEachHost, type HostsRequest, withHosts } from "./hosts";
import { newDeployId } from "./labels";
import { HostLock } from "./lock";
import { observeHost } from "./observe";
import { healthMode, isServing } from "./planner";
import { authForImage } from "./registry-auth";
import { historyEntry, switchOver } from "./switch-over";
import { clearIdle, readCanary, routedContainers, routedPort, type TrafficPlan, trafficFor } from "./traffic";
import type { AppScope, DeployEnvironment, ObservedContainer, RegistryAuth } from "./types";

export interface OperationRequest extends HostsRequest {
  /**
   * The environment; its env values may still hold `${NAME}` references when
   * `referenceSource` is given — they are resolved when the version to start
   * is known (rollback redeploy, canary promotion), so that
   * ${POWERTRAIN_VERSION} names the version actually started.
   */
  environment: DeployEnvironment;
  /** Where `${NAME}` references are read from (the step's environment); none = already resolved. */
  referenceSource?: Record<string, string | undefined>;
  hosts?: SshTarget[];
  /** See HostDeployOptions.hostScope. */
  hostScope?: boolean;
}

/** Lock the environment's app on `host` (observing its containers on the way) for an operation. */
export async function lockApp(
  host: RemoteHost,
  req: OperationRequest & { lockStaleMs?: number },
  deployId: string,
): Promise<{ scope: AppScope; lock: HostLock }> {
  const env = req.environment;
  const scope = hostScope({ app: env.app, environment: env.name }, host, req.hostScope);
  const lock = await HostLock.acquire(host, {
    scope,
    deployId,
    timeoutMs: env.deploy.lockTimeoutMs,
    staleMs: req.lockStaleMs,
    observeImage: "none",
    logger: req.logger,
  });
  return { scope, lock };
}

/** The request's hosts, one after the other, over one session. */
function eachHost<T>(req: OperationRequest, fn: (host: RemoteHost) => Promise<T>): Promise<T[]> {
  return forEachHost(req, req.hosts ?? req.environment.hosts, fn);
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
  /** With a router: the container's weight in the upstream (0 = not routed, e.g. idle or draining). */
  weight?: number;
  /** With a router: its share of the host's traffic, in percent. */
  share?: number;
  /** With a router: this container is the running canary. */
  canary?: boolean;
}

export async function status(req: OperationRequest): Promise<ContainerStatus[]> {
  const { app, name } = req.environment;
  const perHost = await eachHost(req, async (host) => {
    const observed = await observeHost(
      host,
      hostScope({ app, environment: name }, host, req.hostScope),
      "none",
    );
    const list = observed.containers.map((c) => toStatus(host.name, c));
    if (req.environment.deploy.router) await addTraffic(host, req, list, observed.containers);
    return list;
  });
  return perHost.flat();
}

/** The upstream's weights and shares, and which containers are the canary. */
async function addTraffic(
  host: RemoteHost,
  req: OperationRequest,
  list: ContainerStatus[],
  containers: ObservedContainer[],
): Promise<void> {
  const { app, name } = req.environment;
  const scope = hostScope({ app, environment: name }, host, req.hostScope);
  const t = trafficFor(host, req.environment.deploy, { app, environment: name }, "rolling")!;
  const [upstream, canary] = await Promise.all([t.router.current(), readCanary(host, scope)]);
  const total = (upstream ?? []).reduce((sum, s) => sum + s.weight, 0);
  list.forEach((s, i) => {
    const port = routedPort(containers[i]!);
    const weight = (upstream ?? []).filter((u) => u.port === port).reduce((sum, u) => sum + u.weight, 0);
    s.weight = weight;
    s.share = total ? Math.round((weight / total) * 1000) / 10 : 0;
    if (canary && containers[i]!.digest === canary.digest && isServing(containers[i]!)) s.canary = true;
  });
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

export interface LogsRequest extends OperationRequest {
  tail: number;
  /** Keep following every serving container, all hosts at once, until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
}

export async function logs(req: LogsRequest, write: (line: string) => void): Promise<void> {
  const { app, name } = req.environment;
  const docker = (c: string) => [
    "docker",
    "logs",
    "--tail",
    String(req.tail),
    "--timestamps",
    ...(req.follow ? ["--follow"] : []),
    c,
  ];
  const serving = async (host: RemoteHost) =>
    (await observeHost(host, hostScope({ app, environment: name }, host, req.hostScope), "none")).containers
      .filter(isServing)
      .map((c) => c.name);
  if (!req.follow) {
    await eachHost(req, async (host) => {
      for (const c of await serving(host)) {
        const r = await host.run(docker(c), { allowFailure: true });
        for (const line of (r.stdout + r.stderr).split("\n").filter(Boolean))
          write(`${host.name} ${c} | ${line}`);
      }
    });
    return;
  }
  await withHosts(req, async (session) => {
    // Closing the session ends every `docker logs --follow` (their ssh clients lose the master).
    const stop = () => void session.close();
    req.signal?.addEventListener("abort", stop, { once: true });
    try {
      const followers: Promise<unknown>[] = [];
      for (const target of req.hosts ?? req.environment.hosts) {
        if (req.signal?.aborted) break;
        const host = await session.connect(target);
        for (const c of await serving(host)) {
          // Once stopped, what ssh says about the closed connection is not the container's log.
          const onLine = (line: string) => req.signal?.aborted || write(`${host.name} ${c} | ${line}`);
          followers.push(host.run(docker(c), { allowFailure: true, onLine }));
        }
      }
      await Promise.all(followers);
    } finally {
      req.signal?.removeEventListener("abort", stop);
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
      // Behind a load balancer they leave the upstream first, then drain.
      const traffic = trafficFor(host, req.environment.deploy, { app, environment: name }, "rolling");
      if (serving.length)
        await switchOver(host, { traffic, serving: [], leaving: serving, logger: req.logger });
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
  /**
   * switch = the idle previous set (blue-green) took the upstream back in one reload;
   * restart = kept containers started again; redeploy = previous digest deployed anew;
   * swarm-rollback = Swarm ran its previous spec again (the Swarm engine).
   */
  method: "switch" | "restart" | "redeploy" | "swarm-rollback";
  /** Time the load balancer switch took (with a router). */
  switchMs?: number;
  from?: string;
  to: string;
  instances: DeployedInstance[];
}

export async function rollback(req: RollbackRequest): Promise<RollbackResult[]> {
  const env = req.environment;
  const deployId = newDeployId();
  return eachHost(req, async (host) => {
    const { scope, lock } = await lockApp(host, req, deployId);
    let redeployImage: { image: string; version: string; digest: string; from?: string } | undefined;
    const traffic = trafficFor(host, env.deploy, { app: env.app, environment: env.name }, "rolling");
    try {
      const observed = lock.observed ?? (await observeHost(host, scope, "none"));
      if (traffic) {
        const switched = await switchBack(host, req, scope, traffic, observed.containers, deployId);
        if (switched) return switched;
      }
      const serving = observed.containers.filter(isServing);
      const current = serving.sort((a, b) => b.created.localeCompare(a.created))[0];
      const kept = observed.containers
        .filter((c) => !isServing(c) && c.digest && c.digest !== current?.digest)
        .filter((c) => (req.to ? c.version === req.to : true))
        .sort((a, b) => b.created.localeCompare(a.created));
      const target = kept[0];
      if (target) {
        const group = kept.filter((c) => c.digest === target.digest && c.state !== "created");
        return await restartKept(host, req, scope, group, serving, deployId, traffic);
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
        run: runFor(env.run, redeployImage.version, req),
        keep: env.deploy.keep,
      },
      {
        healthTimeoutMs: env.deploy.healthTimeoutMs,
        lockTimeoutMs: env.deploy.lockTimeoutMs,
        lockStaleMs: req.lockStaleMs,
        // Credentials go only to the registry they are for, whatever registry the earlier image names.
        registryAuth: authForImage(req.registryAuth, redeployImage.image),
        bindAddress: req.bindAddress,
        hostScope: req.hostScope,
        traffic,
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
  traffic?: TrafficPlan,
): Promise<RollbackResult> {
  const env = req.environment;
  const t0 = Date.now();
  const names = group.map((c) => c.name);
  const to = group[0]!.version;
  // docker start takes containers one after the other; start them side by side.
  await runScript(host, "start-kept", names, {});
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
  const switchMs = await switchOver(host, {
    traffic,
    serving: group,
    leaving: serving,
    record: { scope, entry: historyEntry(deployId, group[0]!) },
    logger: req.logger,
  });
  req.logger.info(`${host.name}: rolled back to ${to} in ${Date.now() - t0} ms (kept containers restarted)`);
  return {
    host: host.name,
    method: "restart",
    ...(switchMs === undefined ? {} : { switchMs }),
    from: serving[0]?.version,
    to,
    instances: group.map((c) => deployedInstance(host.name, c)),
  };
}

/**
 * Blue-green's instant rollback: the previous set still runs, idle, beside the
 * live one — one upstream switch makes it live again; the other set then
 * drains and stops. Undefined when no such set runs.
 */
async function switchBack(
  host: RemoteHost,
  req: RollbackRequest,
  scope: AppScope,
  t: TrafficPlan,
  containers: ObservedContainer[],
  deployId: string,
): Promise<RollbackResult | undefined> {
  const canary = await readCanary(host, scope);
  if (canary) {
    throw new DeployError(`${host.name}: a canary of ${canary.version} is running; it is not rolled back`, {
      hint: "run powertrain abort-canary to remove it",
    });
  }
  const serving = containers.filter(isServing);
  const live = routedContainers(serving, await t.router.current());
  const liveDigests = new Set(live.map((c) => c.digest));
  const idle = serving
    .filter((c) => !live.includes(c) && !liveDigests.has(c.digest) && c.digest)
    .filter((c) => (req.to ? c.version === req.to : true))
    .sort((a, b) => b.created.localeCompare(a.created));
  if (idle.length === 0 || live.length === 0) return undefined;
  const group = idle.filter((c) => c.digest === idle[0]!.digest);
  const env = req.environment;
  // A configured check runs once more (fast: they run already); without one, running is all we know.
  const mode = healthMode(env.run, false);
  if (mode !== "running") {
    const health = await waitHealthy(
      host,
      group.map((c) => c.name),
      mode,
      env.run,
      env.deploy.healthTimeoutMs,
    );
    if (!health.ok) return undefined;
  }
  const switchMs = (await switchOver(host, {
    traffic: t,
    serving: group,
    leaving: live,
    afterSwitch: () => clearIdle(host, scope),
    record: { scope, entry: historyEntry(deployId, group[0]!) },
    logger: req.logger,
  }))!;
  req.logger.info(`${host.name}: switched back to ${group[0]!.version} in ${switchMs} ms`);
  return {
    host: host.name,
    method: "switch",
    switchMs,
    from: live[0]?.version,
    to: group[0]!.version,
    instances: group.map((c) => deployedInstance(host.name, c)),
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
