import type { RemoteHost } from "../ssh/session";
import type { SshTarget } from "../ssh/target";
import { hostScope } from "./executor";
import { forEachHost, type HostsRequest, withHosts } from "./hosts";
import { newDeployId } from "./labels";
import { HostLock } from "./lock";
import { observeHost } from "./observe";
import { isServing } from "./planner";
import { switchOver } from "./switch-over";
import { readCanary, routedPort, trafficFor } from "./traffic";
import type { AppScope, DeployEnvironment, ObservedContainer } from "./types";

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
export function eachHost<T>(req: OperationRequest, fn: (host: RemoteHost) => Promise<T>): Promise<T[]> {
  return forEachHost(req, req.hosts ?? req.environment.hosts, fn);
}

export interface ContainerStatus {
  host: string;
  container: string;
  state: string;
  health?: string;
  version: string;
  digest: string;
  /** The commit the image was built from, when its labels say. */
  commit?: string;
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
  if (c.revision) s.commit = c.revision;
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
          followers.push(host.run(docker(c), { allowFailure: true, onLine, timeoutMs: 0 }));
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
