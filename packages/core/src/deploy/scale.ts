/**
 * `powertrain scale`: more or fewer instances of the version a host runs, without a redeploy.
 * Under the deploy lock: new instances start on free ports and pass the same health gate as a
 * deploy's before the load balancer takes them (one reload); on the way down the leaving ones
 * leave the load balancer first (one reload), drain, and are removed. The count is remembered on
 * the host (scale-state.ts) so the next deploy keeps it.
 */
import { UsageError } from "../errors";
import type { Logger } from "../log";
import type { RemoteHost } from "../ssh/session";
import { removeContainers } from "./containers";
import { runFor } from "./env";
import { DeployError } from "./errors";
import { type DeployedInstance, deployedInstance, hostScope, startHealthy } from "./executor";
import { containerName, newDeployId } from "./labels";
import { observeHost } from "./observe";
import { eachHost, lockApp, type OperationRequest } from "./operations";
import { type HostPlan, healthMode, isServing } from "./planner";
import { allocatePorts } from "./ports";
import { type InstanceSpec, instanceLabels } from "./run-args";
import { writeScale } from "./scale-state";
import { retire } from "./switch-over";
import { readCanary, serverOf, serversOf, type TrafficPlan, trafficFor } from "./traffic";
import type { AppScope, DeployEnvironment, ObservedContainer, ObservedHost } from "./types";

export interface ScaleRequest extends OperationRequest {
  /** Instances per host wanted (0 is refused: that is `stop`). */
  instances: number;
  /** Look and say what would change; touch nothing. */
  dryRun?: boolean;
  bindAddress?: string;
  lockStaleMs?: number;
}

export interface ScaleResult {
  host: string;
  version: string;
  from: number;
  to: number;
  /** New instances (healthy and routed). */
  started: DeployedInstance[];
  /** Containers removed. */
  removed: string[];
  /** What serves the version on the host now. */
  instances: DeployedInstance[];
  /** Time the load balancer reload took (with a router). */
  switchMs?: number;
  /** A dry run: nothing was changed. */
  planned?: boolean;
}

export async function scale(req: ScaleRequest): Promise<ScaleResult[]> {
  if (!Number.isInteger(req.instances) || req.instances < 1) {
    throw new UsageError(`scale: expected a whole number of instances ≥ 1, got ${req.instances}`);
  }
  const env = req.environment;
  const deployId = newDeployId();
  return eachHost(req, async (host) => {
    if (req.dryRun) {
      const scope = hostScope({ app: env.app, environment: env.name }, host, req.hostScope);
      const observed = await observeHost(host, scope, "none");
      const plan = scalePlan(host, env, observed, req.instances);
      req.logger.info(describeScale(host.name, plan));
      return result(host, plan, { planned: true });
    }
    const { scope, lock } = await lockApp(host, req, deployId);
    try {
      const observed = lock.observed ?? (await observeHost(host, scope, "none"));
      const plan = scalePlan(host, env, observed, req.instances);
      const canary = await readCanary(host, scope);
      if (canary) {
        throw new DeployError(`${host.name}: a canary of ${canary.version} is running`, {
          hint: "run powertrain promote-canary or abort-canary first",
        });
      }
      const traffic = trafficFor(host, env.deploy, { app: env.app, environment: env.name }, "rolling");
      if (traffic) await traffic.router.check();
      req.logger.info(describeScale(host.name, plan));
      const done =
        plan.to > plan.from
          ? await scaleUp(host, req, scope, plan, traffic)
          : await scaleDown(host, req.logger, plan, traffic);
      lock.check();
      await writeScale(host, scope, {
        instances: plan.to,
        configured: env.run.instances,
        version: plan.version,
        time: new Date().toISOString(),
      });
      return done;
    } finally {
      await lock.release();
    }
  });
}

/** What a host runs of the current version, and how far it goes. */
export interface ScalePlan {
  version: string;
  digest: string;
  image: string;
  deployId: string;
  /** Serving instances of the version, oldest first. */
  members: ObservedContainer[];
  from: number;
  to: number;
}

/**
 * The version to scale: the newest recorded deploy that still serves (else the newest serving
 * container's). Others that run beside it (a blue-green idle set) are not counted or touched.
 */
export function scalePlan(
  host: RemoteHost,
  env: DeployEnvironment,
  observed: ObservedHost,
  to: number,
): ScalePlan {
  const serving = observed.containers.filter(isServing).sort((a, b) => a.created.localeCompare(b.created));
  const recorded = [...observed.history].reverse().find((h) => serving.some((c) => c.digest === h.digest));
  const digest = recorded?.digest ?? serving.at(-1)?.digest;
  const members = serving.filter((c) => c.digest === digest);
  const first = members[0];
  if (!first || !digest) {
    throw new UsageError(`${host.name}: nothing of ${env.app} runs in ${env.name} here to scale`, {
      hint: "deploy a version first (powertrain deploy)",
    });
  }
  return {
    version: first.version,
    digest,
    image: first.image,
    deployId: recorded?.deployId ?? first.deployId,
    members,
    from: members.length,
    to,
  };
}

export function describeScale(host: string, p: ScalePlan): string {
  if (p.to === p.from) return `${host}: ${p.version} already runs ${p.to} instance(s)`;
  const how =
    p.to > p.from ? `start ${p.to - p.from}, health-gated` : `remove ${p.from - p.to} after a drain`;
  return `${host}: scale ${p.version} from ${p.from} to ${p.to} instance(s): ${how}`;
}

async function scaleUp(
  host: RemoteHost,
  req: ScaleRequest,
  scope: AppScope,
  plan: ScalePlan,
  traffic: TrafficPlan | undefined,
): Promise<ScaleResult> {
  const env = req.environment;
  const run = { ...runFor(env.run, plan.version, req), instances: plan.to - plan.from };
  const observed = await observeHost(host, scope, plan.image);
  const start = newInstances(host, env, plan, observed, run.instances);
  const hostPlan: HostPlan = {
    host: host.target.host,
    upToDate: false,
    removeFirst: [],
    pull: false,
    start,
    health: healthMode(run, observed.imageHasHealthcheck),
    stop: [],
    removeAfter: [],
    warnings: [],
  };
  const desired = { ...plan, app: env.app, environment: env.name, run, keep: env.deploy.keep };
  const names = start.map((s) => s.name);
  const t0 = Date.now();
  let switchMs: number | undefined;
  try {
    const outcome = await startHealthy(host, hostPlan, desired, {
      bindAddress: req.bindAddress,
      healthTimeoutMs: env.deploy.healthTimeoutMs,
    });
    if (!outcome.health)
      throw new DeployError(`${host.name}: starting the new instances failed: ${outcome.message}`);
    if (!outcome.health.ok) {
      throw new DeployError(
        `${host.name}: new instances of ${plan.version} are not healthy: ${outcome.health.reason}`,
      );
    }
    req.logger.info(
      `${host.name}: ${names.length} new instance(s) healthy (${hostPlan.health}) after ${Date.now() - t0} ms`,
    );
    if (traffic) {
      const fresh = start.flatMap((s) => {
        const port = s.hostPorts.find((p) => p !== undefined);
        return port === undefined
          ? []
          : [serverOf({ name: s.name, port, version: plan.version }, traffic.address)];
      });
      const t1 = Date.now();
      await traffic.router.apply([...serversOf(plan.members, traffic.address), ...fresh]);
      switchMs = Date.now() - t1;
      req.logger.info(`${traffic.router.description}: routes to ${plan.to} instance(s)`);
    }
  } catch (err) {
    req.logger.info(`${host.name}: removing the new instances; the ${plan.from} running keep serving`);
    await removeContainers(host, names).catch(() => {});
    throw err;
  }
  const started = start.map((s) => ({
    host: host.name,
    container: s.name,
    port: s.hostPorts.find((p) => p !== undefined),
    version: plan.version,
    digest: plan.digest,
  }));
  const r = result(host, plan, { started });
  return switchMs === undefined ? r : { ...r, switchMs };
}

async function scaleDown(
  host: RemoteHost,
  log: Logger,
  plan: ScalePlan,
  traffic: TrafficPlan | undefined,
): Promise<ScaleResult> {
  if (plan.to === plan.from) return result(host, plan, {});
  // The newest leave: the oldest have run longest without trouble.
  const staying = plan.members.slice(0, plan.to);
  const leaving = plan.members.slice(plan.to);
  let switchMs: number | undefined;
  if (traffic) {
    const t0 = Date.now();
    await traffic.router.apply(serversOf(staying, traffic.address));
    switchMs = Date.now() - t0;
    log.info(`${traffic.router.description}: routes to ${staying.length} instance(s)`);
  }
  await retire(host, traffic, leaving, log, true);
  log.info(`${host.name}: removed ${leaving.length} instance(s)`);
  const r = result(host, { ...plan, members: staying }, { removed: leaving.map((c) => c.name) });
  return switchMs === undefined ? r : { ...r, switchMs };
}

/** Specs of `count` more instances: the next indexes, free ports, the version's labels and deploy id. */
function newInstances(
  host: RemoteHost,
  env: DeployEnvironment,
  plan: ScalePlan,
  observed: ObservedHost,
  count: number,
): InstanceSpec[] {
  const hostName = host.target.host;
  const perMapping = env.run.ports.map((p) =>
    p.host
      ? allocatePorts(
          p.host,
          count,
          p.protocol === "udp" ? observed.usedPorts.udp : observed.usedPorts.tcp,
          hostName,
        )
      : undefined,
  );
  return Array.from({ length: count }, (_, i) => {
    const hostPorts = perMapping.map((ports) => ports?.[i]);
    const port = hostPorts.find((p) => p !== undefined);
    return {
      name: containerName(env.app, env.name, plan.digest, plan.from + i + 1),
      hostPorts,
      // The deploy id of the version's deploy: its history line covers these instances too.
      labels: instanceLabels({ ...plan, app: env.app, environment: env.name, host: hostName, port }),
    };
  });
}

function result(
  host: RemoteHost,
  plan: ScalePlan,
  o: { started?: DeployedInstance[]; removed?: string[]; planned?: boolean },
): ScaleResult {
  const started = o.started ?? [];
  const r: ScaleResult = {
    host: host.name,
    version: plan.version,
    from: plan.from,
    to: plan.to,
    started,
    removed: o.removed ?? [],
    instances: [...plan.members.map((c) => deployedInstance(host.name, c)), ...started],
  };
  if (o.planned) {
    r.planned = true;
    r.instances = plan.members.map((c) => deployedInstance(host.name, c));
  }
  return r;
}
