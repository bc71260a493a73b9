/**
 * The runtime options of `run` (logging, capabilities, read-only root, tmpfs, ulimits, sysctls…)
 * and `run.hardened`, kept apart from schema.ts so each file reads in one sitting. Every value is
 * checked strictly: it ends up as one `--flag=value` element of docker's argument list, so nothing
 * here may look like a flag of its own or carry a line break.
 */
import { z } from "zod";

/** Linux capabilities as docker names them (without CAP_), plus ALL. */
export const CAPABILITIES = [
  "ALL",
  "AUDIT_CONTROL",
  "AUDIT_READ",
  "AUDIT_WRITE",
  "BLOCK_SUSPEND",
  "BPF",
  "CHECKPOINT_RESTORE",
  "CHOWN",
  "DAC_OVERRIDE",
  "DAC_READ_SEARCH",
  "FOWNER",
  "FSETID",
  "IPC_LOCK",
  "IPC_OWNER",
  "KILL",
  "LEASE",
  "LINUX_IMMUTABLE",
  "MAC_ADMIN",
  "MAC_OVERRIDE",
  "MKNOD",
  "NET_ADMIN",
  "NET_BIND_SERVICE",
  "NET_BROADCAST",
  "NET_RAW",
  "PERFMON",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYSLOG",
  "SYS_ADMIN",
  "SYS_BOOT",
  "SYS_CHROOT",
  "SYS_MODULE",
  "SYS_NICE",
  "SYS_PACCT",
  "SYS_PTRACE",
  "SYS_RAWIO",
  "SYS_RESOURCE",
  "SYS_TIME",
  "SYS_TTY_CONFIG",
  "WAKE_ALARM",
] as const;

/** The resource limits `docker run --ulimit` knows. */
export const ULIMIT_NAMES = [
  "core",
  "cpu",
  "data",
  "fsize",
  "locks",
  "memlock",
  "msgqueue",
  "nice",
  "nofile",
  "nproc",
  "rss",
  "rtprio",
  "rttime",
  "sigpending",
  "stack",
] as const;

/** Mount options a tmpfs may carry besides size and mode. */
export const TMPFS_FLAGS = ["ro", "rw", "noexec", "exec", "nosuid", "suid", "nodev", "dev"] as const;

/** One word of printable characters that does not start like a flag. */
export const SAFE_WORD = /^[^\s=-][^\s]*$/;
/** A value inside `key=value`: printable, no line breaks (spaces allowed: `ip_local_port_range`). */
export const SAFE_VALUE = /^[^\r\n\0]*$/;
export const IP_ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)$/;
export const HOST_NAME =
  /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
export const LOG_DRIVER = /^[a-z0-9][a-z0-9_./:-]*$/;
export const OPTION_KEY = /^[a-z0-9][a-z0-9_.-]*$/;
export const SYSCTL_KEY = /^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/;
/** `docker run --security-opt` values powertrain passes on (no-new-privileges has its own key). */
export const SECURITY_OPT =
  /^(no-new-privileges(:(true|false))?|(seccomp|apparmor)=[^\s,=-][^\s,]*|label=(disable|(user|role|type|level):[^\s,]+)|systempaths=unconfined|proc-opts=[a-z,]+)$/;
export const TMPFS_PATH = /^\/[A-Za-z0-9_./@+-]*$/;
export const TMPFS_SHORT = new RegExp(
  `^/[A-Za-z0-9_./@+-]*(:((size=\\d+[kmgKMG]?|mode=[0-7]{3,4}|${TMPFS_FLAGS.join("|")})(,|$))+)?$`,
);

const Scalar = z.union([
  z.string().regex(SAFE_VALUE, { error: "expected a value without line breaks" }),
  z.number(),
  z.boolean(),
]);
const ULimitValue = z.int().min(-1);

/** The keys, spread into RunConfig; `size` is schema.ts's Size (passed in: schema.ts imports this file). */
export const runtimeOptions = (Size: z.ZodType<string | number>) => ({
  hardened: z.boolean().optional().meta({
    description:
      "One switch for a locked-down container: read-only root, cap-drop [ALL], no-new-privileges and a /tmp tmpfs. Explicit keys override (read-only: false) or extend it (cap-add, tmpfs).",
  }),
  "log-driver": z
    .string()
    .regex(LOG_DRIVER, { error: 'expected a logging driver such as "json-file", "local" or "syslog"' })
    .optional()
    .meta({ description: "Logging driver (docker run --log-driver)." }),
  "log-options": z
    .record(z.string().regex(OPTION_KEY, { error: "expected an option name" }), Scalar)
    .optional()
    .meta({ description: 'Options of the logging driver, e.g. { max-size: "10m", max-file: 3 }.' }),
  "extra-hosts": z
    .record(
      z.string().regex(HOST_NAME, { error: "expected a host name" }),
      z.union([z.string().regex(IP_ADDRESS, { error: "expected an IP address" }), z.literal("host-gateway")]),
    )
    .optional()
    .meta({ description: "Extra /etc/hosts entries: host name → IP address (or host-gateway)." }),
  ulimits: z
    .partialRecord(
      z.enum(ULIMIT_NAMES),
      z.union([
        ULimitValue,
        z.string().regex(/^-?\d+:-?\d+$/, { error: 'expected "SOFT:HARD"' }),
        z.strictObject({ soft: ULimitValue, hard: ULimitValue }),
      ]),
    )
    .optional()
    .meta({ description: 'Resource limits: name → N, "SOFT:HARD" or { soft, hard } (-1 = unlimited).' }),
  "cap-add": z
    .array(z.enum(CAPABILITIES))
    .optional()
    .meta({ description: "Linux capabilities to add, e.g. [NET_BIND_SERVICE]." }),
  "cap-drop": z
    .array(z.enum(CAPABILITIES))
    .optional()
    .meta({ description: "Linux capabilities to drop; [ALL] drops every one." }),
  "read-only": z.boolean().optional().meta({ description: "Mount the root filesystem read-only." }),
  tmpfs: z
    .array(
      z.union([
        z.string().regex(TMPFS_SHORT, {
          error:
            'expected "/path" or "/path:size=64m,mode=1777" (options: size, mode, noexec, nosuid, nodev, ro)',
        }),
        z.strictObject({
          target: z.string().regex(TMPFS_PATH, { error: "expected an absolute path" }),
          size: Size.optional(),
          mode: z
            .string()
            .regex(/^[0-7]{3,4}$/, { error: 'expected an octal mode such as "1777"' })
            .optional(),
          options: z.array(z.enum(TMPFS_FLAGS)).optional(),
        }),
      ]),
    )
    .optional()
    .meta({ description: "In-memory file systems, e.g. [/tmp] or [{ target: /run, size: 16m }]." }),
  "no-new-privileges": z
    .boolean()
    .optional()
    .meta({ description: "Processes cannot gain privileges (setuid binaries, file capabilities)." }),
  "security-opt": z
    .array(
      z.string().regex(SECURITY_OPT, {
        error: 'expected a security option such as "seccomp=/path/profile.json" or "apparmor=profile"',
      }),
    )
    .optional()
    .meta({ description: "docker run --security-opt values: seccomp=…, apparmor=…, label=…" }),
  "pids-limit": z
    .int()
    .positive()
    .optional()
    .meta({ description: "Most processes the container may run (fork bombs stop there)." }),
  workdir: z
    .string()
    .regex(/^\/[^\s]*$/, { error: "expected an absolute path inside the container" })
    .optional()
    .meta({ description: "Working directory inside the container." }),
  hostname: z
    .string()
    .regex(HOST_NAME, { error: "expected a host name (letters, digits, - and .)" })
    .optional()
    .meta({ description: "The container's host name." }),
  dns: z
    .array(z.string().regex(IP_ADDRESS, { error: "expected an IP address" }))
    .optional()
    .meta({ description: "DNS servers (IP addresses)." }),
  sysctls: z
    .record(
      z.string().regex(SYSCTL_KEY, { error: 'expected a sysctl name such as "net.core.somaxconn"' }),
      Scalar,
    )
    .optional()
    .meta({ description: "Namespaced kernel parameters, e.g. { net.core.somaxconn: 1024 }." }),
});
