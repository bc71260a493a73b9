/**
 * deploy.hooks resolved: each hook's command in exec form, its time limit in milliseconds and
 * where it runs. The zod schema here is part of the resolved-environment contract (resolved.ts
 * puts it under deploy.hooks); the key names are the ones a deploy reads (deploy/hooks.ts).
 */
import { z } from "zod";
import type { HookSettings, HooksSettings } from "./schema";
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

/** deploy.hooks → `{ hooks }` of the resolved deploy settings; `{}` when none is configured. */
export function resolveHooks(hooks: HooksSettings | undefined): { hooks?: ResolvedHooks } {
  const out: ResolvedHooks = {};
  for (const name of HOOK_NAMES) {
    const hook = hooks?.[name];
    if (hook !== undefined) out[name] = resolveHook(hook);
  }
  return Object.keys(out).length ? { hooks: out } : {};
}

function resolveHook(hook: HookSettings): ResolvedHook {
  const long = typeof hook === "object" && !Array.isArray(hook) ? hook : { command: hook };
  const command = typeof long.command === "string" ? ["/bin/sh", "-c", long.command] : [...long.command];
  return {
    command,
    timeoutMs:
      long.timeout === undefined ? HOOK_DEFAULT_TIMEOUT_MS : Math.max(1, parseDuration(long.timeout)),
    on: long.on ?? "first-host",
  };
}
