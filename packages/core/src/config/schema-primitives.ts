/**
 * The value types powertrain.yml's sections share (durations, sizes, ports, env maps, volumes,
 * command lines), in a file of their own so the sections' files can use them without importing
 * each other. schema.ts re-exports them.
 */
import { z } from "zod";

/** `30s`, `5m`, `1h`, `500ms`, or a number of seconds. */
export const Duration = z
  .union([
    z.number().nonnegative(),
    z
      .string()
      .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, { error: 'expected a duration such as "30s", "5m" or "500ms"' }),
  ])
  .meta({ description: 'A duration: "500ms", "30s", "5m", "1h", or a number of seconds.' });

/** `150MB`, `1.5GiB`, `512m`, or a number of bytes. */
export const Size = z
  .union([
    z.int().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?\s*([kKmMgGtT]i?[bB]?|[bB])?$/, {
      error: 'expected a size such as "150MB", "1.5GiB" or "512m"',
    }),
  ])
  .meta({ description: 'A size: "150MB", "1.5GiB", "512m" (docker style), or a number of bytes.' });

export const PortNumber = z.int().min(1).max(65535);

/** A host port (8080) or an inclusive range to allocate from ("8000-8099"). */
export const HostPort = z
  .union([
    PortNumber,
    z.string().regex(/^\d{1,5}-\d{1,5}$/, { error: 'expected a port or a range such as "8000-8099"' }),
  ])
  .meta({
    description: 'A host port (8080) or an inclusive range to allocate free ports from ("8000-8099").',
  });

export const PortMapping = z.union([
  z
    .string()
    .regex(/^((\d{1,5}(-\d{1,5})?):)?\d{1,5}(\/(tcp|udp))?$/, {
      error:
        'expected "CONTAINER", "HOST:CONTAINER" or "FROM-TO:CONTAINER", optionally with "/tcp" or "/udp"',
    })
    .meta({ description: 'Short form: "8080", "80:8080" or "8000-8099:8080", optionally "/udp".' }),
  z.strictObject({
    container: PortNumber.meta({ description: "The port the application listens on inside the container." }),
    host: HostPort.optional(),
    protocol: z.enum(["tcp", "udp"]).optional(),
    name: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "A name for this port, used in discovery labels." }),
  }),
]);

/** Env var names as POSIX shells accept them. */
const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected an environment variable name" });

export const EnvMap = z.record(EnvName, z.union([z.string(), z.number(), z.boolean(), z.null()])).meta({
  description:
    "Environment variables. Values may reference ${NAME}, resolved at deploy time from the deploy step's environment " +
    "(write $${ for a literal ${). Never put secret values here: this file is baked into the image. " +
    "In an environment overlay, null removes a variable.",
});

export const Volume = z.union([
  z
    .string()
    .regex(/^[^:\s]+:[^:\s]+(:(ro|rw))?$/, { error: 'expected "SOURCE:TARGET" or "SOURCE:TARGET:ro"' }),
  z.strictObject({
    source: z.string().min(1).meta({ description: "A host path or a named volume." }),
    target: z.string().regex(/^\//, { error: "expected an absolute path inside the container" }),
    "read-only": z.boolean().optional(),
  }),
]);

export const CommandLine = z.union([z.string().min(1), z.array(z.string()).min(1)]).meta({
  description: "A command: an argument list (exec form, preferred) or one string run by /bin/sh -c.",
});

export type PortMapping = z.infer<typeof PortMapping>;
