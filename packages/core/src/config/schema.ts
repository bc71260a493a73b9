/**
 * The powertrain.yml schema — the single source of truth. The loader
 * validates with it, the TypeScript types are inferred from it, and
 * schema/powertrain.schema.json (for editor completion) is generated from it,
 * so the three cannot drift apart.
 *
 * Keys are kebab-case, like action inputs and workflow files. Objects are
 * strict: an unknown key is an error (with a did-you-mean), never ignored.
 * No defaults here: defaults are applied after environments are merged
 * (see resolve.ts), so an overlay can tell "unset" from "set to default".
 *
 * This file holds the whole document, `run` and environments; the other sections are in
 * schema-deploy.ts, schema-build.ts and schema-runtime.ts, the shared value types in
 * schema-primitives.ts. Everything is exported from here.
 */
import { z } from "zod";
import { BuildSettings, ExtraTag, ImageSettings } from "./schema-build";
import { DeploySettings, HostSpec } from "./schema-deploy";
import { CommandLine, Duration, EnvMap, PortMapping, PortNumber, Size, Volume } from "./schema-primitives";
import { runtimeOptions } from "./schema-runtime";

export * from "./schema-build";
export * from "./schema-deploy";
export * from "./schema-primitives";

export const HealthCheck = z
  .strictObject({
    http: z
      .string()
      .regex(/^\//, { error: 'expected a URL path such as "/healthz"' })
      .optional()
      .meta({ description: "HTTP path that must answer 2xx/3xx." }),
    tcp: z.boolean().optional().meta({ description: "Healthy when the port accepts a TCP connection." }),
    command: CommandLine.optional().meta({
      description: "A command run inside the container; exit 0 is healthy.",
    }),
    port: PortNumber.optional().meta({ description: "Container port to check (default: the first port)." }),
    interval: Duration.optional(),
    timeout: Duration.optional().meta({ description: "Time one probe may take." }),
    retries: z.int().positive().optional(),
    "start-period": Duration.optional(),
  })
  .refine((h) => [h.http, h.tcp, h.command].filter((v) => v !== undefined && v !== false).length <= 1, {
    error: "choose one of http, tcp or command",
  })
  .meta({ description: "How to tell an instance is healthy. Without one, the image's HEALTHCHECK is used." });

export const RunConfig = z
  .strictObject({
    instances: z
      .int()
      .positive()
      .optional()
      .meta({ description: "How many containers to run on each host." }),
    ports: z.array(PortMapping).optional(),
    env: EnvMap.optional(),
    volumes: z.array(Volume).optional(),
    labels: z.record(z.string().min(1), z.string()).optional(),
    health: HealthCheck.optional(),
    "stop-timeout": Duration.optional().meta({
      description: "Grace period between the stop signal and SIGKILL.",
    }),
    "stop-signal": z
      .string()
      .regex(/^(SIG[A-Z0-9]+|\d+)$/, { error: 'expected a signal such as "SIGTERM"' })
      .optional(),
    init: z
      .boolean()
      .optional()
      .meta({ description: "Run an init process as PID 1 (docker run --init) so signals reach the app." }),
    restart: z
      .string()
      .regex(/^(no|always|unless-stopped|on-failure(:\d+)?)$/, {
        error: 'expected "no", "always", "unless-stopped" or "on-failure[:N]"',
      })
      .optional(),
    memory: Size.optional(),
    cpus: z.number().positive().optional(),
    user: z.string().min(1).optional(),
    network: z.string().min(1).optional(),
    entrypoint: CommandLine.optional(),
    command: CommandLine.optional(),
    ...runtimeOptions(Size),
  })
  .meta({ description: "How the application's containers run." });
export const Environment = z.strictObject({
  description: z.string().optional(),
  hosts: z.array(HostSpec).optional().meta({ description: "Docker hosts reached over SSH." }),
  url: z
    .string()
    .regex(/^https?:\/\//, { error: "expected an http:// or https:// URL (it may use {host} and {port})" })
    .optional()
    .meta({
      description:
        "Where the environment can be seen: ssh-deploy's url output and the link on GitHub's environment page. May use {host} (the first host) and {port} (the first published port).",
    }),
  deploy: DeploySettings.optional(),
  run: RunConfig.optional(),
});

export const PowertrainConfig = z
  .strictObject({
    $schema: z.string().optional(),
    schema: z.literal(1).optional().meta({ description: "Version of this file's format." }),
    name: z
      .string()
      .regex(/^[a-z0-9]+([._-][a-z0-9]+)*$/, {
        error: "expected a lower-case name (letters, digits, and . _ - between them)",
      })
      .meta({ description: "The application's name; the default image repository." }),
    image: ImageSettings.optional(),
    build: BuildSettings.optional(),
    tags: z
      .strictObject({
        version: z
          .string()
          .min(1)
          .optional()
          .meta({ description: 'Version tag template (default "{build}-{sha:7}").' }),
        extra: z.array(ExtraTag).optional(),
      })
      .optional(),
    run: RunConfig.optional(),
    deploy: DeploySettings.optional(),
    environments: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/, { error: "expected an environment name (letters, digits, _ and -)" }),
        Environment,
      )
      .optional()
      .meta({ description: "Named environments (dev, qa, prod…): each overlays run and deploy settings." }),
  })
  .meta({
    title: "powertrain.yml",
    description: "powertrain: build → publish → deploy for one Docker application.",
  });

export type PowertrainConfig = z.infer<typeof PowertrainConfig>;
export type RunConfig = z.infer<typeof RunConfig>;
export type Environment = z.infer<typeof Environment>;
export type HealthCheck = z.infer<typeof HealthCheck>;

/** The schema version this build of powertrain writes and reads. */
export const SCHEMA_VERSION = 1;
