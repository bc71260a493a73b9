/**
 * deploy.hooks around a rollout (rollout.ts), each hook run by hooks.ts:
 * - pre-deploy runs before any instance changes anywhere: on the first host (or on every host, one
 *   after the other), each under that host's deploy lock, which the host's deploy then goes on
 *   with (so two deploys never run it at once). Failing or timing out stops the deploy.
 * - post-deploy runs once every host serves the new version, on the first of them (or on each).
 *   Its failure fails the deploy, which stays: the new version keeps serving, as with Kamal's hooks.
 * - on-failure runs when the deploy failed (pre-deploy, a host, or post-deploy); its own failure
 *   is a warning, the deploy's error stands.
 * Each hook sees POWERTRAIN_HOOK, _APP, _ENVIRONMENT, _VERSION, _DEPLOY_ID, _HOST (on-failure
 * also POWERTRAIN_ERROR, the failure's first line) besides the run configuration's env.
 */
import type { HookName, ResolvedHook } from "../config/hooks";
import type { Logger } from "../log";
import type { RemoteHost } from "../ssh/session";
import { describeTarget, type SshTarget } from "../ssh/target";
import { hostScope } from "./executor";
import { runHook } from "./hooks";
import type { HostSession } from "./hosts";
import { HostLock } from "./lock";
import { pull } from "./pull";
import type { DeployEnvironment, DeployRunConfig, RegistryAuth } from "./types";

export interface RolloutHooksContext {
  environment: DeployEnvironment;
  hosts: readonly SshTarget[];
  session: HostSession;
  version: string;
  image: string;
  deployId: string;
  run: DeployRunConfig;
  registryAuth?: RegistryAuth;
  lockStaleMs?: number;
  hostScope?: boolean;
  logger: Logger;
}

/** A host's place in the rollout, as the rollout reports it. */
interface HostState {
  status: string;
}

export class RolloutHooks {
  /** Locks taken for pre-deploy, by host index, until that host's deploy takes them over. */
  private readonly held = new Map<number, HostLock>();

  constructor(private readonly c: RolloutHooksContext) {}

  private hook(name: HookName): ResolvedHook | undefined {
    return this.c.environment.deploy.hooks?.[name];
  }

  /** What a dry run says about the hooks. */
  describe(): string[] {
    const hooks = this.c.environment.deploy.hooks ?? {};
    return Object.entries(hooks).map(
      ([name, h]) =>
        `hook ${name} would run on ${h.on === "every-host" ? "every host" : "the first host"}: ${h.command.join(" ")}`,
    );
  }

  /** pre-deploy on its hosts, each under its deploy lock; throws (locks released) when one fails. */
  async before(): Promise<void> {
    const hook = this.hook("pre-deploy");
    if (!hook) return;
    const c = this.c;
    const indexes = hook.on === "every-host" ? c.hosts.map((_, i) => i) : [0];
    try {
      for (const i of indexes) {
        const host = await c.session.connect(c.hosts[i]!);
        const lock = await HostLock.acquire(host, {
          scope: hostScope({ app: c.environment.app, environment: c.environment.name }, host, c.hostScope),
          deployId: c.deployId,
          timeoutMs: c.environment.deploy.lockTimeoutMs,
          staleMs: c.lockStaleMs,
          observeImage: c.image,
          logger: c.logger,
        });
        this.held.set(i, lock);
        if (!lock.observed?.imagePresent) await this.pull(host);
        await this.run(host, "pre-deploy", hook);
        lock.check();
      }
    } catch (err) {
      await this.release();
      throw err;
    }
  }

  /** The lock pre-deploy took on host `i`, handed over to that host's deploy (which releases it). */
  takeLock(i: number): HostLock | undefined {
    const lock = this.held.get(i);
    this.held.delete(i);
    return lock;
  }

  /** Release the locks no host deploy took over (the rollout stopped before reaching it). */
  async release(): Promise<void> {
    const locks = [...this.held.values()];
    this.held.clear();
    await Promise.all(locks.map((l) => l.release().catch(() => {})));
  }

  /** post-deploy on the hosts that serve the new version; throws when it fails. */
  async after(states: readonly HostState[]): Promise<void> {
    const hook = this.hook("post-deploy");
    if (!hook) return;
    const serving = this.c.hosts.filter((_, i) =>
      ["deployed", "unchanged"].includes(states[i]?.status ?? ""),
    );
    for (const target of hook.on === "every-host" ? serving : serving.slice(0, 1)) {
      await this.run(await this.c.session.connect(target), "post-deploy", hook);
    }
  }

  /** on-failure, told the error; its own failure (or an unreachable host) is only a warning. */
  async failed(error: unknown, states: readonly HostState[]): Promise<void> {
    const hook = this.hook("on-failure");
    if (!hook) return;
    const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
    const reached = this.c.hosts.filter((_, i) => states[i]?.status !== "unreachable");
    for (const target of hook.on === "every-host" ? reached : reached.slice(0, 1)) {
      try {
        const host = await this.c.session.connect(target);
        // The deploy may have failed before the image reached this host (its pull failed…).
        const present = await host.run(["docker", "image", "inspect", "--format", "{{.Id}}", this.c.image], {
          allowFailure: true,
        });
        if (present.exitCode !== 0) await this.pull(host);
        await this.run(host, "on-failure", hook, { POWERTRAIN_ERROR: reason });
      } catch (err) {
        this.c.logger.warn(
          `hook on-failure on ${describeTarget(target)}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  private pull(host: RemoteHost): Promise<void> {
    const c = this.c;
    return pull(
      host,
      c.image,
      { registryAuth: c.registryAuth, pullTimeoutMs: c.environment.deploy.pullTimeoutMs },
      c.logger,
    );
  }

  private run(host: RemoteHost, name: HookName, hook: ResolvedHook, extra: Record<string, string> = {}) {
    const c = this.c;
    return runHook(host, {
      name,
      hook,
      oneOff: {
        app: c.environment.app,
        environment: c.environment.name,
        version: c.version,
        image: c.image,
        run: c.run,
      },
      env: {
        POWERTRAIN_HOOK: name,
        POWERTRAIN_APP: c.environment.app,
        POWERTRAIN_ENVIRONMENT: c.environment.name,
        POWERTRAIN_VERSION: c.version,
        POWERTRAIN_DEPLOY_ID: c.deployId,
        POWERTRAIN_HOST: host.target.host,
        ...extra,
      },
      logger: c.logger,
    });
  }
}
