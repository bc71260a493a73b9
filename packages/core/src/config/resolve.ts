/**
 * One environment's effective settings: its `run` and `deploy` overlaid on the
 * top-level ones (see merge.ts), defaults applied, short forms parsed into
 * plain typed values. Everything downstream (docker run arguments, the deploy
 * planner) works from these types, never from the raw YAML shapes.
 */
import { ConfigError } from "../errors";
import { didYouMean } from "./describe";
import { renderEnvironmentUrl } from "./environment-url";
import { HookSettingError, resolveHooks, withLongHooks } from "./hooks";
import { mergeOverlay } from "./merge";
import { resolveRuntime } from "./resolve-runtime";
import type {
  Host,
  ResolvedDeploy,
  ResolvedEnvironment,
  ResolvedHealth,
  ResolvedPort,
  ResolvedRouter,
  ResolvedRun,
  ResolvedSwarm,
  ResolvedVolume,
} from "./resolved";
import type {
  DeploySettings,
  HealthCheck,
  HostSpec,
  PortMapping,
  PowertrainConfig,
  RunConfig,
} from "./schema";
import { parseDuration, parsePortRange, parseSize } from "./units";

/** The resolved environment is defined (and validated) in resolved.ts. */
export type { ResolvedEnvironment } from "./resolved";

/** The name of the run configuration used when no environment is chosen. */
export const DEFAULT_ENVIRONMENT = "default";

export const SWARM_DEFAULTS: ResolvedSwarm = {
  parallelism: 1,
  delayMs: 0,
  order: "start-first",
  failureAction: "rollback",
  monitorMs: 5000,
  maxFailureRatio: 0,
  constraints: [],
  publish: "ingress",
  secrets: "secret",
};

export const RUN_DEFAULTS = {
  instances: 1,
  stopTimeoutMs: 10_000,
  init: true,
  restart: "unless-stopped",
} as const;

export const HEALTH_DEFAULTS = { intervalMs: 1000, timeoutMs: 2000, retries: 3, startPeriodMs: 0 } as const;

export const DEPLOY_DEFAULTS: ResolvedDeploy = {
  strategy: "rolling",
  maxParallel: 1,
  keep: 2,
  healthTimeoutMs: 60_000,
  lockTimeoutMs: 5 * 60_000,
};

/** Names of the configured environments, in file order. */
export function listEnvironments(config: PowertrainConfig): string[] {
  return Object.keys(config.environments ?? {});
}

/**
 * The effective settings of environment `name` (or of the top-level run
 * configuration without a name). `file` is only used in error messages.
 */
export function resolveEnvironment(
  config: PowertrainConfig,
  name?: string,
  file = "powertrain.yml",
): ResolvedEnvironment {
  const fail = (path: string, message: string): never => {
    throw new ConfigError(file, [{ path, message }]);
  };
  let overlay: NonNullable<PowertrainConfig["environments"]>[string] = {};
  if (name !== undefined && name !== DEFAULT_ENVIRONMENT) {
    const known = listEnvironments(config);
    const found = config.environments?.[name];
    if (!found) {
      const suggestion = didYouMean(name, known);
      const hint = suggestion ? `; did you mean "${suggestion}"?` : "";
      const list = known.length > 0 ? ` (known: ${known.join(", ")})` : " (the file defines none)";
      fail("environments", `unknown environment "${name}"${hint}${list}`);
    }
    overlay = found as typeof overlay;
  }
  const run = mergeOverlay<RunConfig>(withoutReplacedHealth(config.run, overlay.run), overlay.run);
  const deploy = mergeOverlay<DeploySettings>(withLongHooks(config.deploy), withLongHooks(overlay.deploy));
  const envName = name ?? DEFAULT_ENVIRONMENT;
  const prefix = name && name !== DEFAULT_ENVIRONMENT ? `environments.${name}.` : "";
  try {
    const hosts = (overlay.hosts ?? []).map(resolveHost);
    const resolvedRun = resolveRun(run);
    return {
      name: envName,
      app: config.name,
      image: {
        ...(config.image?.registry ? { registry: config.image.registry } : {}),
        repository: config.image?.repository ?? config.name,
      },
      hosts,
      ...(overlay.url ? { url: environmentUrl(overlay.url, hosts, resolvedRun, fail, prefix) } : {}),
      run: resolvedRun,
      deploy: resolveDeploy(deploy),
    };
  } catch (err) {
    if (err instanceof RunSettingError) return fail(`${prefix}run.${err.key}`, err.message);
    if (err instanceof HookSettingError) return fail(`${prefix}deploy.hooks.${err.hook}`, err.message);
    throw err;
  }
}

function environmentUrl(
  template: string,
  hosts: Host[],
  run: ResolvedRun,
  fail: (path: string, message: string) => never,
  prefix: string,
): string {
  try {
    return renderEnvironmentUrl(template, hosts, run.ports);
  } catch (err) {
    return fail(`${prefix}url`, (err as Error).message);
  }
}

/** A health check in an overlay that names its kind replaces the base's kind instead of adding a second one. */
function withoutReplacedHealth(
  base: RunConfig | undefined,
  overlay: RunConfig | undefined,
): RunConfig | undefined {
  const kinds = ["http", "tcp", "command"] as const;
  if (!base?.health || !overlay?.health || !kinds.some((k) => overlay.health?.[k] !== undefined)) return base;
  const health = { ...base.health };
  for (const k of kinds) delete health[k];
  return { ...base, health };
}

class RunSettingError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

function resolveRun(run: RunConfig): ResolvedRun {
  const ports = (run.ports ?? []).map(resolvePort);
  const result: ResolvedRun = {
    instances: run.instances ?? RUN_DEFAULTS.instances,
    ports,
    env: resolveEnv(run.env),
    volumes: (run.volumes ?? []).map(resolveVolume),
    labels: { ...(run.labels ?? {}) },
    stopTimeoutMs:
      run["stop-timeout"] === undefined ? RUN_DEFAULTS.stopTimeoutMs : parseDuration(run["stop-timeout"]),
    init: run.init ?? RUN_DEFAULTS.init,
    restart: run.restart ?? RUN_DEFAULTS.restart,
  };
  const health = resolveHealth(run.health, ports);
  if (health) result.health = health;
  if (run["stop-signal"] !== undefined) result.stopSignal = run["stop-signal"];
  if (run.memory !== undefined) result.memory = parseSize(run.memory);
  if (run.cpus !== undefined) result.cpus = run.cpus;
  if (run.user !== undefined) result.user = run.user;
  if (run.network !== undefined) result.network = run.network;
  if (run.entrypoint !== undefined) result.entrypoint = commandLine(run.entrypoint);
  if (run.command !== undefined) result.command = commandLine(run.command);
  return { ...result, ...resolveRuntime(run) };
}

/** Numbers and booleans become strings; null (removed by an overlay, or written at top level) is dropped. */
function resolveEnv(env: RunConfig["env"]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env ?? {})) {
    if (value !== null && value !== undefined) result[key] = String(value);
  }
  return result;
}

/** "8080", "80:8080", "8000-8099:8080/udp" or the map form → ResolvedPort. */
export function resolvePort(port: PortMapping): ResolvedPort {
  if (typeof port === "string") {
    const [mapping, protocol] = port.split("/") as [string, string | undefined];
    const parts = mapping.split(":");
    const container = parsePortRange(parts.at(-1)!);
    const result: ResolvedPort = { container: container.from, protocol: protocol === "udp" ? "udp" : "tcp" };
    if (parts.length > 1) result.host = parsePortRange(parts[0]!);
    return result;
  }
  const result: ResolvedPort = { container: port.container, protocol: port.protocol ?? "tcp" };
  if (port.host !== undefined) result.host = parsePortRange(port.host);
  if (port.name !== undefined) result.name = port.name;
  return result;
}

function resolveVolume(volume: NonNullable<RunConfig["volumes"]>[number]): ResolvedVolume {
  if (typeof volume === "string") {
    const [source, target, mode] = volume.split(":") as [string, string, string | undefined];
    return { source, target, readOnly: mode === "ro" };
  }
  return { source: volume.source, target: volume.target, readOnly: volume["read-only"] ?? false };
}

function resolveHealth(health: HealthCheck | undefined, ports: ResolvedPort[]): ResolvedHealth | undefined {
  if (!health) return undefined;
  const kind =
    health.http !== undefined
      ? "http"
      : health.tcp
        ? "tcp"
        : health.command !== undefined
          ? "command"
          : undefined;
  if (!kind) throw new RunSettingError("health", "choose one of http, tcp or command");
  const result: ResolvedHealth = {
    intervalMs: health.interval === undefined ? HEALTH_DEFAULTS.intervalMs : parseDuration(health.interval),
    timeoutMs: health.timeout === undefined ? HEALTH_DEFAULTS.timeoutMs : parseDuration(health.timeout),
    retries: health.retries ?? HEALTH_DEFAULTS.retries,
    startPeriodMs:
      health["start-period"] === undefined
        ? HEALTH_DEFAULTS.startPeriodMs
        : parseDuration(health["start-period"]),
  };
  if (kind === "http") result.http = health.http;
  if (kind === "tcp") result.tcp = true;
  if (kind === "command") result.command = commandLine(health.command!);
  const port = health.port ?? (kind === "command" ? undefined : ports[0]?.container);
  if (port === undefined && kind !== "command") {
    throw new RunSettingError("health", `a ${kind} check needs a port: set health.port or run.ports`);
  }
  if (port !== undefined) result.port = port;
  return result;
}

function resolveDeploy(deploy: DeploySettings): ResolvedDeploy {
  return {
    strategy: deploy.strategy ?? DEPLOY_DEFAULTS.strategy,
    maxParallel: deploy["max-parallel"] ?? DEPLOY_DEFAULTS.maxParallel,
    ...(deploy["max-unreachable"] === undefined ? {} : { maxUnreachable: deploy["max-unreachable"] }),
    keep: deploy.keep ?? DEPLOY_DEFAULTS.keep,
    healthTimeoutMs:
      deploy["health-timeout"] === undefined
        ? DEPLOY_DEFAULTS.healthTimeoutMs
        : parseDuration(deploy["health-timeout"]),
    lockTimeoutMs:
      deploy["lock-timeout"] === undefined
        ? DEPLOY_DEFAULTS.lockTimeoutMs
        : parseDuration(deploy["lock-timeout"]),
    ...(deploy["pull-timeout"] === undefined ? {} : { pullTimeoutMs: parseDuration(deploy["pull-timeout"]) }),
    ...(deploy["command-timeout"] === undefined
      ? {}
      : { commandTimeoutMs: parseDuration(deploy["command-timeout"]) }),
    ...resolveTraffic(deploy),
    ...resolveEngine(deploy),
    ...resolveHooks(deploy.hooks),
    ...(deploy.verify
      ? {
          verify: {
            key: deploy.verify.key,
            require: [...new Set(deploy.verify.require ?? ["signature" as const])],
          },
        }
      : {}),
  };
}

/** deploy.engine and deploy.swarm: present only when configured (no engine = ssh). */
function resolveEngine(deploy: DeploySettings): Partial<ResolvedDeploy> {
  const out: Partial<ResolvedDeploy> = {};
  if (deploy.engine !== undefined) out.engine = deploy.engine;
  const s = deploy.swarm;
  if (!s && deploy.engine !== "swarm") return out;
  const swarm: ResolvedSwarm = {
    parallelism: s?.parallelism ?? SWARM_DEFAULTS.parallelism,
    delayMs: s?.delay === undefined ? SWARM_DEFAULTS.delayMs : parseDuration(s.delay),
    order: s?.order ?? SWARM_DEFAULTS.order,
    failureAction: s?.["failure-action"] ?? SWARM_DEFAULTS.failureAction,
    monitorMs: s?.monitor === undefined ? SWARM_DEFAULTS.monitorMs : parseDuration(s.monitor),
    maxFailureRatio: s?.["max-failure-ratio"] ?? SWARM_DEFAULTS.maxFailureRatio,
    constraints: [...(s?.constraints ?? [])],
    publish: s?.publish ?? SWARM_DEFAULTS.publish,
    secrets: s?.secrets ?? SWARM_DEFAULTS.secrets,
  };
  if (s?.context !== undefined) swarm.context = s.context;
  out.swarm = swarm;
  return out;
}

/** Router, drain, canary and blue-green keys: present only when configured. */
function resolveTraffic(deploy: DeploySettings): Partial<ResolvedDeploy> {
  const out: Partial<ResolvedDeploy> = {};
  const r = deploy.router;
  if (r) {
    const router: ResolvedRouter = { type: r.type };
    if (r.upstream !== undefined) router.upstream = r.upstream;
    if (r.address !== undefined) router.address = r.address;
    if (r["conf-dir"] !== undefined) router.confDir = r["conf-dir"];
    if (r.nginx !== undefined) router.nginx = r.nginx;
    if (r["nginx-config"] !== undefined) router.nginxConfig = r["nginx-config"];
    if (r.reload !== undefined) router.reload = commandLine(r.reload);
    if (r.command !== undefined) router.command = commandLine(r.command);
    out.router = router;
  }
  if (deploy.drain !== undefined) out.drainMs = parseDuration(deploy.drain);
  const c = deploy.canary;
  if (c) {
    out.canary = {};
    if (c.instances !== undefined) out.canary.instances = c.instances;
    if (c.share !== undefined)
      out.canary.sharePercent = typeof c.share === "number" ? c.share : Number.parseFloat(c.share);
    if (c.analysis) out.canary.analysis = resolveAnalysis(c.analysis);
  }
  const keepIdle = deploy["blue-green"]?.["keep-idle"];
  if (deploy["blue-green"])
    out.blueGreen = keepIdle === undefined ? {} : { keepIdleMs: parseDuration(keepIdle) };
  return out;
}

type CanaryAnalysis = NonNullable<NonNullable<DeploySettings["canary"]>["analysis"]>;
type ResolvedAnalysis = NonNullable<NonNullable<ResolvedDeploy["canary"]>["analysis"]>;

export const ANALYSIS_DEFAULTS = { intervalMs: 30_000, maxErrorRate: 0.01, minRequests: 100 } as const;

function resolveAnalysis(a: CanaryAnalysis): ResolvedAnalysis {
  const rate = a["max-error-rate"];
  const out: ResolvedAnalysis = {
    durationMs: parseDuration(a.duration),
    intervalMs: a.interval === undefined ? ANALYSIS_DEFAULTS.intervalMs : parseDuration(a.interval),
    maxErrorRate:
      rate === undefined
        ? ANALYSIS_DEFAULTS.maxErrorRate
        : typeof rate === "number"
          ? rate
          : Number.parseFloat(rate) / 100,
    minRequests: a["min-requests"] ?? ANALYSIS_DEFAULTS.minRequests,
    onPass: a["on-pass"] ?? "promote",
    onFail: a["on-fail"] ?? "abort",
    onInconclusive: a["on-inconclusive"] ?? "hold",
  };
  if (a["max-latency-ratio"] !== undefined) out.maxLatencyRatio = a["max-latency-ratio"];
  if (a["metrics-command"] !== undefined) out.metricsCommand = commandLine(a["metrics-command"]);
  return out;
}

/** "[user@]host[:port]" (IPv6 in brackets) or the map form → Host. */
export function resolveHost(spec: HostSpec): Host {
  if (typeof spec !== "string") return { ...spec };
  const match = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec)!;
  const result: Host = { host: match[2]!.replace(/^\[|\]$/g, "") };
  if (match[1]) result.user = match[1];
  if (match[3]) result.port = Number(match[3]);
  return result;
}

/** Exec form stays; one string runs through the shell, like a Dockerfile's shell form. */
function commandLine(value: string | string[]): string[] {
  return typeof value === "string" ? ["/bin/sh", "-c", value] : [...value];
}
