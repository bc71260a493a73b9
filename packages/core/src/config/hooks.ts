/**
 * deploy.hooks resolved: each hook's command in exec form, its time limit in milliseconds and
 * where it runs. The zod schema here is part of the resolved-environment contract (resolved.ts
 * puts it under deploy.hooks); the key names are the ones a deploy reads (deploy/hooks.ts).
 */
import { z } from "zod";
import type { DeploySettings, HookSettings, HooksSettings } from "./schema";
import { parseDuration } from "./units";

/** The hooks a deploy knows, by their powertrain.yml names. */
export const HOOK_NAMES = ["pre-deploy", "post-deploy", "on-failure"] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** A hook that names no timeout may run this long. */
export const HOOK_DEFAULT_TIMEOUT_MS = 10 * 60_000;

export const ResolvedHook = z.strictObject({
  /** What the one-off container runs (exec form), after the image's (or run's) entrypoint. */
  command: z.array(z.string()).min(1),
  /** Wall-clock limit, enforced on the host: the container is killed and removed past it. */
  timeoutMs: z.number().positive(),
  /** The environment's first host only, or every host. */
  on: z.enum(["first-host", "every-host"]),
});

export const ResolvedHooks = z.strictObject({
  "pre-deploy": ResolvedHook.optional(),
  "post-deploy": ResolvedHook.optional(),
  "on-failure": ResolvedHook.optional(),
});

export type ResolvedHook = z.infer<typeof ResolvedHook>;
export type ResolvedHooks = z.infer<typeof ResolvedHooks>;

/**
 * Deploy settings with every hook in its long form, before environments overlay them: so an
 * environment that sets only `timeout` or `on` keeps the command a short form gave.
 */
export function withLongHooks(deploy: DeploySettings | undefined): DeploySettings | undefined {
  if (!deploy?.hooks) return deploy;
  const hooks = Object.fromEntries(
    Object.entries(deploy.hooks).map(([k, h]) => [
      k,
      typeof h === "string" || Array.isArray(h) ? { command: h } : h,
    ]),
  );
  return { ...deploy, hooks };
}

/** A hook whose merged settings cannot run (no command anywhere); resolve.ts names its path. */
export class HookSettingError extends Error {
  constructor(
    readonly hook: HookName,
    message: string,
  ) {
    super(message);
  }
}

/** deploy.hooks → `{ hooks }` of the resolved deploy settings; `{}` when none is configured. */
export function resolveHooks(hooks: HooksSettings | undefined): { hooks?: ResolvedHooks } {
  const out: ResolvedHooks = {};
  for (const name of HOOK_NAMES) {
    const hook = hooks?.[name];
    if (hook !== undefined && hook !== null) out[name] = resolveHook(name, hook);
  }
  return Object.keys(out).length ? { hooks: out } : {};
}

function resolveHook(name: HookName, hook: HookSettings): ResolvedHook {
  const long = typeof hook === "object" && !Array.isArray(hook) ? hook : { command: hook };
  if (long.command === undefined)
    throw new HookSettingError(name, "needs a command (here or at the top level)");
  const command = typeof long.command === "string" ? ["/bin/sh", "-c", long.command] : [...long.command];
  return {
    command,
    timeoutMs:
      long.timeout === undefined ? HOOK_DEFAULT_TIMEOUT_MS : Math.max(1, parseDuration(long.timeout)),
    on: long.on ?? "first-host",
  };
}
