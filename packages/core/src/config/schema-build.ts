/**
 * powertrain.yml's `build` and `image` sections: the test stage, BuildKit cache and secrets,
 * platforms, attestations, tags. schema.ts re-exports it.
 */
import { z } from "zod";
import { CommandLine, Duration, Size } from "./schema-primitives";

export const ExtraTag = z.union([
  z.string().min(1),
  z.strictObject({
    tag: z.string().min(1),
    branches: z.array(z.string().min(1)).optional().meta({ description: "Only on these branches." }),
  }),
]);

/** A cache source or export as buildx takes it, or `registry` (`<image>:buildcache`, mode=max). */
const CacheSpec = z.string().regex(/^(registry|type=[a-z]+(,[^,=]+=[^,]*)*)$/, {
  error: 'expected "registry" or buildx\'s syntax, e.g. "type=registry,ref=host/app:buildcache"',
});
const SecretId = z.string().regex(/^[A-Za-z0-9._-]+$/, { error: "expected an id (letters, digits, . _ -)" });

export const BuildCache = z.union([
  z
    .literal("registry")
    .meta({ description: "Shorthand: from and to <registry>/<repository>:buildcache (mode=max)." }),
  z.strictObject({
    from: z.array(CacheSpec).optional().meta({ description: "Cache sources (--cache-from)." }),
    to: z.array(CacheSpec).optional().meta({ description: "Cache exports (--cache-to)." }),
  }),
]);

export const BuildSecret = z.union([
  z.strictObject({
    id: SecretId,
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected an environment variable name" })
      .meta({ description: "Environment variable of the build step that holds the value." }),
  }),
  z.strictObject({
    id: SecretId,
    file: z.string().min(1).meta({ description: "File that holds the value (relative to this file)." }),
  }),
]);

export const BuildSettings = z.strictObject({
  context: z.string().min(1).optional(),
  dockerfile: z.string().min(1).optional(),
  target: z.string().min(1).optional().meta({ description: "The final stage to build." }),
  "test-target": z.string().min(1).optional().meta({ description: "The stage that runs the unit tests." }),
  "test-reports": z
    .string()
    .regex(/^\//, { error: "expected an absolute path inside the test stage" })
    .optional()
    .meta({ description: "Directory of JUnit XML reports inside the test stage." }),
  args: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).optional(),
  "size-budget": Size.optional().meta({ description: "Fail the build when the image is larger." }),
  builder: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "buildx builder to use (default: BUILDX_BUILDER, else buildx's current one)." }),
  cache: BuildCache.optional().meta({
    description: "BuildKit layer cache, shared by the test stage and the final image.",
  }),
  secrets: z
    .array(BuildSecret)
    .optional()
    .meta({ description: "Build secrets for RUN --mount=type=secret,id=…; values never enter the image." }),
  ssh: z
    .array(SecretId)
    .optional()
    .meta({ description: "SSH agent sockets for RUN --mount=type=ssh: [default] (SSH_AUTH_SOCK) or ids." }),
  platforms: z
    .array(
      z.string().regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, {
        error: 'expected os/architecture[/variant], e.g. "linux/arm64"',
      }),
    )
    .min(1)
    .optional()
    .meta({
      description:
        "Platforms of the image: one OCI index, pushed from the builder. The test stage runs on the runner's own.",
    }),
  attestations: z
    .strictObject({
      provenance: z
        .enum(["min", "max", "off"])
        .optional()
        .meta({ description: "SLSA provenance BuildKit attaches to the index (default off)." }),
      sbom: z.boolean().optional().meta({ description: "An SPDX SBOM BuildKit attaches to the index." }),
    })
    .optional()
    .meta({
      description: "Attestations BuildKit attaches to a pushed index (buildx builders of their own).",
    }),
  root: z
    .enum(["allow", "warn", "error"])
    .optional()
    .meta({ description: "What to do when the image runs as root (default warn)." }),
  "smoke-test": z
    .strictObject({
      environment: z
        .string()
        .min(1)
        .optional()
        .meta({ description: "Run configuration to start (default ci)." }),
      command: CommandLine.optional(),
      image: z.string().min(1).optional().meta({ description: "A test image run against the started app." }),
      timeout: Duration.optional(),
    })
    .optional(),
});

export const ImageSettings = z.strictObject({
  registry: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, { error: 'expected "host" or "host:port"' })
    .optional()
    .meta({ description: 'Registry host[:port], e.g. "artifactory.example.com" or "127.0.0.1:5000".' }),
  repository: z
    .string()
    .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, {
      error: 'expected a repository path such as "docker-local/team/app"',
    })
    .optional()
    .meta({ description: "Repository path inside the registry (default: name)." }),
});

export type BuildSettings = z.infer<typeof BuildSettings>;
export type BuildCache = z.infer<typeof BuildCache>;
export type BuildSecret = z.infer<typeof BuildSecret>;
