/**
 * The resolved environment: one environment's effective settings, defaults applied (resolve.ts
 * makes it from powertrain.yml). It is also a contract between processes — extract-config writes it
 * as JSON, ssh-deploy's `config` input, `--resolved`, rollback and the Swarm engine read it back —
 * so this zod schema is its single definition: the types are inferred from it, and every reader
 * validates what it is handed (a hand-edited or hostile file must not become ssh options or shell
 * text). Documents carry `schema: RESOLVED_SCHEMA` beside the fields.
 */
import { z } from "zod";
import { ConfigError, type ConfigProblem } from "../errors";
import { ResolvedHooks } from "./hooks";
import {
  CAPABILITIES,
  HOST_NAME,
  IP_ADDRESS,
  LOG_DRIVER,
  OPTION_KEY,
  SAFE_VALUE,
  SECURITY_OPT,
  SYSCTL_KEY,
  TMPFS_FLAGS,
  TMPFS_PATH,
  ULIMIT_NAMES,
} from "./schema-runtime";

/** The version tag of a resolved-environment document; a reader refuses any other. */
export const RESOLVED_SCHEMA = "powertrain/resolved-environment/v1";

const Port = z.int().min(1).max(65535);
const Millis = z.number().nonnegative();
const Range = z.strictObject({ from: Port, to: Port });
/** Docker and POSIX names: what `export NAME=…` and `--env NAME` can carry safely. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Host names, IPv4 and IPv6 addresses; never an ssh option (`-o…`) nor whitespace. */
const HostName = z.string().regex(/^[A-Za-z0-9_[:.%][A-Za-z0-9_.:%-]*$/, {
  error: "expected a host name or address (letters, digits, '.', ':', '-'; not starting with '-')",
});
const UserName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, { error: "expected a user name" });
/** A command line in exec form. */
const Argv = z.array(z.string());

export const ResolvedPort = z.strictObject({
  /** The port the application listens on inside the container. */
  container: Port,
  /** Host ports to publish on (one port is a range of one); undefined lets docker pick. */
  host: Range.optional(),
  protocol: z.enum(["tcp", "udp"]),
  /** Optional name, used in discovery labels. */
  name: z.string().optional(),
});

export const ResolvedVolume = z.strictObject({
  /** Host path or named volume. */
  source: z.string().min(1),
  /** Absolute path inside the container. */
  target: z.string().min(1),
  readOnly: z.boolean(),
});

/**
 * How to tell that an instance is healthy: exactly one of http, tcp and command is set. resolve.ts
 * always sets the timings; a reader applies the same defaults (HEALTH_DEFAULTS) when absent.
 */
export const ResolvedHealth = z.strictObject({
  /** URL path that must answer 2xx/3xx. */
  http: z.string().startsWith("/", { error: "expected a path starting with /" }).optional(),
  /** Healthy when the port accepts a TCP connection. */
  tcp: z.boolean().optional(),
  /** Command (exec form) run inside the container; exit 0 is healthy. */
  command: Argv.optional(),
  /** Container port probed by http and tcp checks (default: the first port). */
  port: Port.optional(),
  intervalMs: Millis.optional(),
  timeoutMs: Millis.optional(),
  retries: z.int().nonnegative().optional(),
  startPeriodMs: Millis.optional(),
});

/** A value of `key=value` (log options, sysctls): one argument, never a line break. */
const SafeValue = z.string().regex(SAFE_VALUE, { error: "expected a value without line breaks" });

export const ResolvedTmpfs = z.strictObject({
  /** Absolute path of the mount inside the container. */
  target: z.string().regex(TMPFS_PATH, { error: "expected an absolute path" }),
  sizeBytes: z.int().nonnegative().optional(),
  /** Octal permission bits, e.g. "1777". */
  mode: z
    .string()
    .regex(/^[0-7]{3,4}$/)
    .optional(),
  options: z.array(z.enum(TMPFS_FLAGS)).optional(),
});

/**
 * The runtime options (run.hardened already expanded into the others). All optional, so a document
 * written before they existed still reads; each is one `--flag=value` argument of docker run.
 */
const ResolvedRuntime = {
  /** run.hardened was set (its settings are already in readOnly, capDrop, noNewPrivileges, tmpfs). */
  hardened: z.boolean().optional(),
  logDriver: z.string().regex(LOG_DRIVER).optional(),
  logOptions: z.record(z.string().regex(OPTION_KEY), SafeValue).optional(),
  /** Host name → IP address (or host-gateway). */
  extraHosts: z
    .record(z.string().regex(HOST_NAME), z.string().regex(/^(host-gateway|[0-9A-Fa-f:.]+)$/))
    .optional(),
  ulimits: z
    .partialRecord(z.enum(ULIMIT_NAMES), z.strictObject({ soft: z.int().min(-1), hard: z.int().min(-1) }))
    .optional(),
  capAdd: z.array(z.enum(CAPABILITIES)).optional(),
  capDrop: z.array(z.enum(CAPABILITIES)).optional(),
  readOnly: z.boolean().optional(),
  tmpfs: z.array(ResolvedTmpfs).optional(),
  noNewPrivileges: z.boolean().optional(),
  securityOpt: z.array(z.string().regex(SECURITY_OPT)).optional(),
  pidsLimit: z.int().positive().optional(),
  workdir: z
    .string()
    .regex(/^\/[^\s]*$/)
    .optional(),
  hostname: z.string().regex(HOST_NAME).optional(),
  dns: z.array(z.string().regex(IP_ADDRESS)).optional(),
  sysctls: z.record(z.string().regex(SYSCTL_KEY), SafeValue).optional(),
};

export const ResolvedRun = z.strictObject({
  /** Containers per host (default 1). */
  instances: z.int().min(0),
  ports: z.array(ResolvedPort),
  /** Environment variables; values may still hold `${NAME}` references (see references.ts). */
  env: z.record(
    z
      .string()
      .regex(ENV_NAME, { error: "not a valid variable name" })
      .refine((k) => k !== "__proto__", { error: "not a valid variable name" }),
    z.string(),
  ),
  volumes: z.array(ResolvedVolume),
  labels: z.record(z.string(), z.string()),
  /** Health probe; undefined means the image's own HEALTHCHECK (or none). */
  health: ResolvedHealth.optional(),
  /** Grace period between the stop signal and SIGKILL (default 10 s). */
  stopTimeoutMs: Millis,
  /** Signal that asks the app to stop; undefined means the image's STOPSIGNAL. */
  stopSignal: z
    .string()
    .regex(/^[A-Z0-9+]+$/)
    .optional(),
  /** Run an init process as PID 1 (a Node process as PID 1 ignores SIGTERM and stalls deploys). */
  init: z.boolean(),
  /** Docker restart policy (default "unless-stopped"). */
  restart: z.string().regex(/^[a-z-]+(:\d+)?$/),
  /** Memory limit in bytes. */
  memory: z.number().nonnegative().optional(),
  /** CPU limit (docker --cpus). */
  cpus: z.number().positive().optional(),
  user: z.string().optional(),
  network: z.string().optional(),
  entrypoint: Argv.optional(),
  /** Command override, exec form (a string in the file becomes ["/bin/sh", "-c", string]). */
  command: Argv.optional(),
  ...ResolvedRuntime,
});

/** The router settings (deploy.router), command lines in exec form. */
export const ResolvedRouter = z.strictObject({
  type: z.enum(["nginx", "command"]),
  /** Upstream name (default `<app>-<environment>`). */
  upstream: z.string().optional(),
  /** Address the load balancer reaches instances at (default 127.0.0.1: it runs on the deploy host). */
  address: z.string().optional(),
  /** nginx: directory holding powertrain/<upstream>.conf (default /etc/nginx/conf.d). */
  confDir: z.string().optional(),
  /** nginx: the binary (default "nginx"). */
  nginx: z.string().optional(),
  /** nginx: main configuration file, passed as -c (default: nginx's own). */
  nginxConfig: z.string().optional(),
  /** nginx: command that reloads it instead of `nginx -s reload`. */
  reload: Argv.optional(),
  /** command: the hook; receives the desired upstream list as JSON on stdin. */
  command: Argv.optional(),
});

/** How a Swarm service is updated and rolled back (see swarm/). */
export const ResolvedSwarm = z.strictObject({
  /** Docker context of a manager for the local docker CLI (used when hosts is empty). */
  context: z.string().optional(),
  /** Tasks replaced at once (0 = all). */
  parallelism: z.int().nonnegative(),
  delayMs: Millis,
  order: z.enum(["start-first", "stop-first"]),
  failureAction: z.enum(["rollback", "pause", "continue"]),
  /** Watch window after each task update. */
  monitorMs: Millis,
  /** Failed tasks tolerated, as a share. */
  maxFailureRatio: z.number().min(0).max(1),
  constraints: z.array(z.string()),
  publish: z.enum(["ingress", "host"]),
  /** How env values with ${NAME} references reach the tasks. */
  secrets: z.enum(["secret", "env"]),
});

export const ResolvedDeploy = z.strictObject({
  strategy: z.enum(["rolling", "blue-green", "canary"]),
  /** Hosts deployed at once. */
  maxParallel: z.int().min(1),
  /** Hosts that may be unreachable without failing the deploy (default 0). */
  maxUnreachable: z.int().nonnegative().optional(),
  /** Previous versions kept (stopped) for instant rollback. */
  keep: z.int().nonnegative(),
  /** How long new instances may take to become healthy. */
  healthTimeoutMs: Millis,
  /** How long to wait for another deploy's lock. */
  lockTimeoutMs: Millis,
  /** How long a host may take to pull the image (default 10 min; set only when configured). */
  pullTimeoutMs: Millis.optional(),
  /** Limit of one remote command (default 2 min, ssh/session.ts; set only when configured). */
  commandTimeoutMs: Millis.optional(),
  /** The load balancer in front of the instances; unset = none (traffic defaults live in deploy/traffic.ts). */
  router: ResolvedRouter.optional(),
  /** How long instances keep running after leaving the load balancer. */
  drainMs: Millis.optional(),
  /** Canary instances per host and the share of traffic (percent) they get. */
  canary: z
    .strictObject({
      instances: z.int().min(1).optional(),
      sharePercent: z.number().min(0).max(100).optional(),
      /** deploy.canary.analysis with its defaults; unset = a person promotes or aborts. */
      analysis: z
        .strictObject({
          durationMs: Millis,
          intervalMs: Millis,
          /** 0-1. */
          maxErrorRate: z.number().min(0).max(1),
          maxLatencyRatio: z.number().gt(0).optional(),
          minRequests: z.int().min(1),
          onPass: z.enum(["promote", "abort", "hold"]),
          onFail: z.enum(["promote", "abort", "hold"]),
          onInconclusive: z.enum(["promote", "abort", "hold"]),
          metricsCommand: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
  /** How long the old set keeps running, idle, after a blue-green switch. */
  blueGreen: z.strictObject({ keepIdleMs: Millis.optional() }).optional(),
  /** The deploy engine; unset = ssh. */
  engine: z.enum(["ssh", "swarm"]).optional(),
  /** Swarm service settings, defaults applied; present when engine is swarm or deploy.swarm is set. */
  swarm: ResolvedSwarm.optional(),
  /** deploy.verify: what the image must carry; `require` defaults to [signature]. Key as written. */
  verify: z
    .strictObject({ key: z.string().min(1), require: z.array(z.enum(["signature", "tests"])) })
    .optional(),
  /** deploy.hooks (config/hooks.ts); unset = none. */
  hooks: ResolvedHooks.optional(),
});

/** A Docker host reached over SSH. */
export const Host = z.strictObject({
  host: HostName,
  user: UserName.optional(),
  port: Port.optional(),
  /** Jump host chain, `[user@]host[:port]` separated by commas, as `ssh -J` takes it. */
  jump: z
    .string()
    .regex(/^[A-Za-z0-9_[][A-Za-z0-9_.:@,[\]%-]*$/, { error: "expected [user@]host[:port][,…]" })
    .optional(),
});

export const ResolvedEnvironment = z.strictObject({
  /** Environment name, or "default" for the top-level run configuration. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: "expected an environment name" }),
  /** The application's name. */
  app: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, { error: "expected an app name" }),
  /** Where the image lives; repository defaults to the app name. */
  image: z.strictObject({ registry: z.string().optional(), repository: z.string() }),
  /** Deploy hosts (empty for the default configuration). */
  hosts: z.array(Host),
  /** environments.<name>.url rendered: where the environment can be seen (an http(s) URL). */
  url: z
    .url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" })
    .refine((u) => !/[\s"'<>`]/.test(u), { error: "expected a URL without spaces, quotes or angle brackets" })
    .optional(),
  run: ResolvedRun,
  deploy: ResolvedDeploy,
});

export type ResolvedPort = z.infer<typeof ResolvedPort>;
export type ResolvedVolume = z.infer<typeof ResolvedVolume>;
export type ResolvedHealth = z.infer<typeof ResolvedHealth>;
export type ResolvedRun = z.infer<typeof ResolvedRun>;
export type ResolvedTmpfs = z.infer<typeof ResolvedTmpfs>;
export type ResolvedRouter = z.infer<typeof ResolvedRouter>;
export type ResolvedSwarm = z.infer<typeof ResolvedSwarm>;
export type ResolvedDeploy = z.infer<typeof ResolvedDeploy>;
export type Host = z.infer<typeof Host>;
export type ResolvedEnvironment = z.infer<typeof ResolvedEnvironment>;

/** The document extract-config writes: the environment with its schema tag. */
export type ResolvedDocument = ResolvedEnvironment & { schema: typeof RESOLVED_SCHEMA };

const Document = ResolvedEnvironment.extend({ schema: z.literal(RESOLVED_SCHEMA) });

/** The environment as a document for another process (extract-config's output). */
export function toResolvedDocument(env: ResolvedEnvironment): ResolvedDocument {
  return { schema: RESOLVED_SCHEMA, ...env };
}

/**
 * A resolved-environment document read back: JSON text → validated environment. `source` names
 * where it came from in errors (a file, or "input config"). Anything invalid is a ConfigError
 * naming each field, never a half-checked object.
 */
export function parseResolvedDocument(text: string, source: string): ResolvedEnvironment {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(source, [{ path: "", message: `not JSON: ${(err as Error).message}` }]);
  }
  if (data && typeof data === "object" && !Array.isArray(data)) {
    const schema = (data as { schema?: unknown }).schema;
    if (schema !== RESOLVED_SCHEMA) {
      const found = schema === undefined ? "no schema field" : `schema ${JSON.stringify(schema)}`;
      throw new ConfigError(source, [
        {
          path: "schema",
          message: `${found}: expected a resolved environment written by extract-config (${RESOLVED_SCHEMA})`,
        },
      ]);
    }
  }
  const parsed = Document.safeParse(data);
  if (!parsed.success) throw new ConfigError(source, parsed.error.issues.map(toProblem));
  const { schema: _schema, ...env } = parsed.data;
  return env;
}

function toProblem(issue: z.core.$ZodIssue): ConfigProblem {
  return { path: issue.path.map(String).join("."), message: issue.message };
}
