/**
 * powertrain.yml's `deploy` section and the `hosts` of an environment: strategy, router, canary
 * (and its analysis), hooks, Swarm settings, the verify policy. schema.ts re-exports it.
 */
import { z } from "zod";
import { CommandLine, Duration, PortNumber } from "./schema-primitives";

/** A name ssh must not mistake for an option: no leading "-", no spaces. */
const SshWord = (what: string) =>
  z.string().regex(/^[^\s@-][^\s@]*$/, { error: `expected a ${what} (no spaces, no leading "-")` });

const HOP = "([^@\\s,-][^@\\s,]*@)?(\\[[0-9A-Fa-f:.]+\\]|[^@:\\s[\\],-][^@:\\s[\\],]*)(:\\d{1,5})?";
const JumpSpec = z.string().regex(new RegExp(`^${HOP}(,${HOP})*$`), {
  error: 'expected "[user@]host[:port]", comma-separated for a chain',
});

export const HostSpec = z.union([
  z
    .string()
    .regex(/^([^@\s-][^@\s]*@)?(\[[0-9A-Fa-f:.]+\]|[^@:\s[\]-][^@:\s[\]]*)(:\d{1,5})?$/, {
      error: 'expected "[user@]host[:port]"',
    })
    .meta({ description: '"[user@]host[:port]"; an IPv6 address in brackets.' }),
  z.strictObject({
    host: SshWord("host name"),
    user: SshWord("user name").optional(),
    port: PortNumber.optional(),
    jump: JumpSpec.optional().meta({
      description:
        "Jump host, [user@]host[:port] (comma-separated for a chain); its key is checked like the host's.",
    }),
  }),
]);

/** The load balancer powertrain drives during a deploy (see docs/traffic.md). */
export const RouterSettings = z
  .strictObject({
    type: z
      .enum(["nginx", "command"])
      .meta({ description: "nginx on the deploy host, or your own command." }),
    upstream: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, { error: "expected letters, digits, ., _ and -" })
      .optional()
      .meta({ description: "Upstream name (default <app>-<environment>)." }),
    address: z
      .string()
      .regex(/^[A-Za-z0-9.:-]+$/, { error: "expected a host name or IP address" })
      .optional()
      .meta({ description: "Address the load balancer reaches the instances at (default 127.0.0.1)." }),
    "conf-dir": z.string().regex(/^\//, { error: "expected an absolute path" }).optional().meta({
      description: "nginx: directory whose powertrain/ holds the upstream file (default /etc/nginx/conf.d).",
    }),
    nginx: z.string().min(1).optional().meta({ description: 'nginx: the binary (default "nginx").' }),
    "nginx-config": z
      .string()
      .regex(/^\//, { error: "expected an absolute path" })
      .optional()
      .meta({ description: "nginx: main configuration file, passed as -c (default nginx's own)." }),
    reload: CommandLine.optional().meta({ description: "nginx: reload command (default nginx -s reload)." }),
    command: CommandLine.optional().meta({
      description: "command: run on the deploy host with the desired upstream list as JSON on stdin.",
    }),
  })
  .refine((r) => r.type !== "command" || r.command !== undefined, { error: "type command needs a command" });

/** How a Docker Swarm service is updated and rolled back (deploy.engine: swarm). */
export const SwarmSettings = z.strictObject({
  context: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/, { error: "expected a docker context name" })
    .optional()
    .meta({ description: "Docker context of a manager, used by the local docker CLI when hosts is empty." }),
  parallelism: z
    .int()
    .nonnegative()
    .optional()
    .meta({ description: "Tasks replaced at once (default 1; 0 = all at once)." }),
  delay: Duration.optional().meta({ description: "Pause between batches of tasks (default 0s)." }),
  order: z
    .enum(["start-first", "stop-first"])
    .optional()
    .meta({ description: "Start the new task before stopping the old one (default start-first)." }),
  "failure-action": z
    .enum(["rollback", "pause", "continue"])
    .optional()
    .meta({ description: "What Swarm does when an updated task fails (default rollback)." }),
  monitor: Duration.optional().meta({
    description: "How long each new task is watched for failure after it starts (default 5s).",
  }),
  "max-failure-ratio": z
    .number()
    .min(0)
    .max(1)
    .optional()
    .meta({ description: "Share of failed tasks tolerated during an update (default 0)." }),
  constraints: z
    .array(
      z.string().regex(/^[A-Za-z0-9_.-]+\s*(==|!=)\s*\S+$/, {
        error: 'expected a placement constraint such as "node.role==worker"',
      }),
    )
    .optional()
    .meta({ description: "Placement constraints, e.g. node.labels.zone==a." }),
  publish: z.enum(["ingress", "host"]).optional().meta({
    description: "Publish ports on the routing mesh or on each task's node only (default ingress).",
  }),
  secrets: z
    .enum(["secret", "env"])
    .optional()
    .meta({
      description:
        "Env values holding ${NAME} references: Swarm secrets mounted at /run/secrets/<VAR> with <VAR>_FILE set " +
        "(default), or plain env in the service spec.",
    }),
});

/**
 * What an image must carry before it is deployed (see docs/signing.md). Enforced from the deploy
 * side's configuration: the copy baked into the image can add requirements, never choose the key.
 */
export const VerifySettings = z.strictObject({
  key: z.string().min(1).meta({
    description:
      "Public key the image must be signed with: a file path, PEM text, or ${NAME} read from the deploy step's environment.",
  }),
  require: z
    .array(z.enum(["signature", "tests"]))
    .min(1)
    .optional()
    .meta({
      description:
        "signature: a cosign signature of the digest by the key (default); tests: a signed test-result attestation with every test passed.",
    }),
});

/** One deploy hook: a one-off container of the new image (docs/hooks.md). */
export const HookSettings = z.union([
  CommandLine,
  z.strictObject({
    command: CommandLine.optional().meta({
      description:
        "What the container runs (the image's entrypoint stays); an environment may leave it to the top level.",
    }),
    timeout: Duration.optional().meta({
      description: "Wall-clock limit; past it the container is killed and removed (default 10m).",
    }),
    on: z.enum(["first-host", "every-host"]).optional().meta({
      description: "Run on the environment's first host only (default), or on every host.",
    }),
  }),
]);

/** Commands run around a deploy, each as a one-off container of the new image; null removes one in an overlay. */
export const HooksSettings = z.strictObject({
  "pre-deploy": HookSettings.nullable().optional().meta({
    description: "Before any instance changes (migrations); failing or timing out stops the deploy.",
  }),
  "post-deploy": HookSettings.nullable().optional().meta({
    description:
      "After every host serves the new version; failing marks the deploy failed, the new version stays.",
  }),
  "on-failure": HookSettings.nullable().optional().meta({
    description: "When the deploy fails (notifications); its own failure is a warning.",
  }),
});

const CanaryAction = z.enum(["promote", "abort", "hold"]);

/** deploy.canary.analysis: watch the canary against the stable set, then act on the verdict. */
export const CanaryAnalysis = z.strictObject({
  duration: Duration.meta({ description: "How long the canary must pass before it is promoted." }),
  interval: Duration.optional().meta({ description: "Time between two checks (default 30s)." }),
  "max-error-rate": z
    .union([
      z.number().min(0).max(1),
      z.string().regex(/^\d+(\.\d+)?%$/, { error: 'expected a share such as "1%" or "0.5%"' }),
    ])
    .optional()
    .meta({
      description:
        'Highest share of failed canary requests (5xx, connection failures), e.g. "1%" (default 1%).',
    }),
  "max-latency-ratio": z.number().gt(0).optional().meta({
    description: "Highest canary p99 ÷ stable p99, e.g. 1.5 (default: latency is not judged).",
  }),
  "min-requests": z.int().positive().optional().meta({
    description:
      "Canary requests a check needs to be judged; fewer over the whole duration is inconclusive (default 100).",
  }),
  "on-pass": CanaryAction.optional().meta({ description: "promote (default), abort or hold." }),
  "on-fail": CanaryAction.optional().meta({ description: "abort (default), promote or hold." }),
  "on-inconclusive": CanaryAction.optional().meta({
    description: "Too little traffic to judge: hold (default: the canary keeps running), abort or promote.",
  }),
  "metrics-command": z
    .union([z.string().min(1), z.array(z.string()).min(1)])
    .optional()
    .meta({
      description:
        "For a router of type command: the command on each host that prints the load balancer's per-backend numbers as JSON (docs/traffic.md).",
    }),
});

export const DeploySettings = z.strictObject({
  strategy: z.enum(["rolling", "blue-green", "canary"]).optional(),
  "max-parallel": z.int().positive().optional().meta({ description: "Hosts deployed at once." }),
  "max-unreachable": z.int().nonnegative().optional().meta({
    description:
      "Hosts that may be unreachable (SSH cannot connect) without failing the deploy: skipped, nothing changed there, and reported (default 0).",
  }),
  keep: z
    .int()
    .nonnegative()
    .optional()
    .meta({ description: "Previous versions whose containers are kept stopped for instant rollback." }),
  "health-timeout": Duration.optional().meta({
    description: "How long new instances may take to become healthy.",
  }),
  "lock-timeout": Duration.optional().meta({ description: "How long to wait for another deploy's lock." }),
  "pull-timeout": Duration.optional().meta({
    description: "How long a host may take to pull the image before the deploy fails (default 10m).",
  }),
  "command-timeout": Duration.optional().meta({
    description:
      "How long any other command on a host may take before it is stopped and the deploy fails, so a stuck docker or link cannot hold the lock (default 2m; a command that waits on purpose — for the lock, the health gate, the pull — gets its own timeout plus this).",
  }),
  engine: z
    .enum(["ssh", "swarm"])
    .optional()
    .meta({ description: "ssh: containers on each host (default); swarm: a Docker Swarm service." }),
  swarm: SwarmSettings.optional(),
  router: RouterSettings.optional().meta({
    description: "The load balancer in front of the instances (needed by blue-green and canary).",
  }),
  drain: Duration.optional().meta({
    description:
      "How long instances keep running after leaving the load balancer, so requests in flight finish.",
  }),
  canary: z
    .strictObject({
      instances: z
        .int()
        .positive()
        .optional()
        .meta({ description: "Canary instances per host (default 1)." }),
      share: z
        .union([
          z.number().gt(0).lt(100),
          z
            .string()
            .regex(/^[1-9]\d?(\.\d+)?%$/, { error: 'expected a share between 1% and 99%, such as "10%"' }),
        ])
        .optional()
        .meta({ description: 'Share of the traffic the canary gets, e.g. "10%" (default 10%).' }),
      analysis: CanaryAnalysis.optional().meta({
        description:
          "Judge the canary from the load balancer's request numbers, then promote or abort it by itself (docs/traffic.md).",
      }),
    })
    .optional(),
  "blue-green": z
    .strictObject({
      "keep-idle": Duration.optional().meta({
        description:
          "How long the old set keeps running, idle, after the switch: rollback is one switch back.",
      }),
    })
    .optional(),
  verify: VerifySettings.optional().meta({
    description: "Signature and test results required before any host is touched (docs/signing.md).",
  }),
  hooks: HooksSettings.optional().meta({
    description:
      "pre-deploy, post-deploy and on-failure commands, run in one-off containers (docs/hooks.md).",
  }),
});

export type DeploySettings = z.infer<typeof DeploySettings>;
export type HooksSettings = z.infer<typeof HooksSettings>;
export type HookSettings = z.infer<typeof HookSettings>;
export type HostSpec = z.infer<typeof HostSpec>;
