/**
 * Many hosts: host by host (or max-parallel at once); the first failure stops
 * the rollout, hosts not reached stay on the old version, and the report says
 * which host runs what.
 */

import { PowertrainError, UsageError } from "../errors";
import { checkVersion, defaultVersion, requirePinned } from "../image/reference";
import type { Logger } from "../log";
import { SshError } from "../ssh/errors";
import type { RemoteHost, SshSessionOptions } from "../ssh/session";
import { describeTarget, type SshTarget } from "../ssh/target";
import { DeployError } from "./errors";
import { type DeployedInstance, deployHost, type HostDeployResult } from "./executor";
import { RolloutHooks } from "./hooks-rollout";
import { type OpenHosts, withHosts } from "./hosts";
import { newDeployId } from "./labels";
import { describePlan, type HostPlan } from "./planner";
import { parseStrategy, type Strategy, trafficFor } from "./traffic";
import type { DeployEnvironment, RegistryAuth } from "./types";

export interface DeployRequest {
  environment: DeployEnvironment;
  /** Pinned image: registry/repository[:tag]@sha256:…. */
  image: string;
  /** Version label (default: the image's tag, else the short digest). */
  version?: string;
  /** Overrides run.instances. */
  instances?: number;
  /** Overrides the environment's hosts. */
  hosts?: SshTarget[];
  /** Overrides deploy.maxParallel. */
  maxParallel?: number;
  /** Overrides deploy.strategy: rolling, blue-green or canary. */
  strategy?: string;
  registryAuth?: RegistryAuth;
  bindAddress?: string;
  lockStaleMs?: number;
  /** See HostDeployOptions.hostScope. */
  hostScope?: boolean;
  dryRun?: boolean;
  deployId?: string;
  ssh: SshSessionOptions;
  logger: Logger;
  /** The host seam (default SSH). */
  openHosts?: OpenHosts;
}

export type HostStatus = "deployed" | "unchanged" | "failed" | "not-started" | "planned" | "unreachable";

export interface HostOutcome {
  host: string;
  status: HostStatus;
  /** The version the host serves after this run (as far as known). */
  version?: string;
  error?: string;
  plan?: HostPlan;
}

export interface DeployReport {
  deployId: string;
  strategy: Strategy;
  version: string;
  digest: string;
  durationMs: number;
  deployed: DeployedInstance[];
  previousVersion?: string;
  /** Longest load balancer switch of any host, with a router. */
  switchMs?: number;
  hosts: HostOutcome[];
}

/** Thrown when a rollout fails; carries the per-host report. */
export class RolloutError extends DeployError {
  constructor(
    message: string,
    readonly report: DeployReport,
    /** The failure that stopped the rollout: its hint is the rollout's. */
    cause?: unknown,
  ) {
    const hint = cause instanceof PowertrainError ? cause.hint : undefined;
    super(message, { ...(hint ? { hint } : {}), ...(cause === undefined ? {} : { cause }) });
  }
}

export async function deploy(req: DeployRequest): Promise<DeployReport> {
  const started = Date.now();
  const { environment: env, logger: log } = req;
  const ref = requirePinned(req.image);
  const hosts = req.hosts ?? env.hosts;
  if (hosts.length === 0) throw new UsageError(`environment "${env.name}" has no hosts to deploy to`);
  const version = checkVersion(req.version ?? defaultVersion(req.image)!);
  const deployId = req.deployId ?? newDeployId();
  const run = { ...env.run, instances: req.instances ?? env.run.instances };
  const maxParallel = Math.max(1, req.maxParallel ?? env.deploy.maxParallel);
  const strategy = parseStrategy(req.strategy ?? env.deploy.strategy ?? "rolling");

  const outcomes: HostOutcome[] = hosts.map((h) => ({ host: describeTarget(h), status: "not-started" }));
  const results: HostDeployResult[] = [];
  const switches = (): number[] => results.flatMap((r) => (r.switchMs === undefined ? [] : [r.switchMs]));
  const report = (): DeployReport => ({
    deployId,
    strategy,
    version,
    digest: ref.digest,
    durationMs: Date.now() - started,
    deployed: results.flatMap((r) => r.deployed),
    previousVersion: results.find((r) => r.previousVersion)?.previousVersion,
    ...(switches().length ? { switchMs: Math.max(...switches()) } : {}),
    hosts: outcomes,
  });

  let failure: unknown;
  const unreachable = { allowed: env.deploy.maxUnreachable ?? 0, seen: 0 };
  await withHosts(req, async (session) => {
    const hooks = new RolloutHooks({ ...req, environment: env, hosts, session, version, deployId, run });
    if (req.dryRun) for (const line of hooks.describe()) log.info(line);
    else await hooks.before().catch((err) => (failure = err));
    let next = 0;
    const worker = async () => {
      while (failure === undefined && next < hosts.length) {
        const i = next++;
        const target = hosts[i]!;
        const outcome = outcomes[i]!;
        try {
          const host = await session.connect(target, { lazy: true });
          // With a tolerance, a host SSH cannot reach is skipped (nothing changed there) and reported.
          if (unreachable.allowed > 0 && !(await reachable(host, unreachable, outcome, log))) continue;
          const result = await log.group(`${req.dryRun ? "plan" : "deploy"} ${version} → ${host.name}`, () =>
            deployHost(
              host,
              {
                app: env.app,
                environment: env.name,
                version,
                digest: ref.digest,
                image: req.image,
                deployId,
                run,
                keep: env.deploy.keep,
              },
              {
                healthTimeoutMs: env.deploy.healthTimeoutMs,
                lockTimeoutMs: env.deploy.lockTimeoutMs,
                pullTimeoutMs: env.deploy.pullTimeoutMs,
                lockStaleMs: req.lockStaleMs,
                registryAuth: req.registryAuth,
                bindAddress: req.bindAddress,
                hostScope: req.hostScope,
                dryRun: req.dryRun,
                explicitInstances: req.instances !== undefined,
                heldLock: hooks.takeLock(i),
                traffic: trafficFor(host, env.deploy, { app: env.app, environment: env.name }, strategy),
                logger: log,
              },
            ),
          );
          results.push(result);
          outcome.plan = result.plan;
          outcome.status = req.dryRun ? "planned" : result.plan.upToDate ? "unchanged" : "deployed";
          outcome.version = req.dryRun ? result.previousVersion : version;
          if (req.dryRun) for (const line of describePlan(result.plan)) log.info(line);
        } catch (err) {
          outcome.status = "failed";
          outcome.error = err instanceof Error ? err.message : String(err);
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxParallel, hosts.length) }, worker));
    await hooks.release();
    if (req.dryRun) return;
    if (failure === undefined) await hooks.after(outcomes).catch((err) => (failure = err));
    if (failure !== undefined) await hooks.failed(failure, outcomes);
  });

  const final = report();
  if (failure !== undefined) {
    const lines = final.hosts.map(
      (h) =>
        `  ${h.host}: ${h.status}${h.status === "deployed" || h.status === "unchanged" ? ` (${h.version})` : h.status === "not-started" ? " (old version untouched)" : ""}`,
    );
    const reason = failure instanceof Error ? failure.message : String(failure);
    const err = new RolloutError(
      `deploy of ${version} failed: ${reason}\nhosts:\n${lines.join("\n")}`,
      final,
      failure,
    );
    if (failure instanceof Error && "userError" in failure && (failure as { userError: boolean }).userError) {
      Object.defineProperty(err, "userError", { value: true });
    }
    throw err;
  }
  return final;
}

/**
 * Whether `host` answers over SSH; an unreachable one within the tolerance is marked so and
 * skipped, beyond it the error stands (the rollout stops as for any failure).
 */
async function reachable(
  host: RemoteHost,
  tolerance: { allowed: number; seen: number },
  outcome: HostOutcome,
  log: Logger,
): Promise<boolean> {
  try {
    await host.run(["true"]);
    return true;
  } catch (err) {
    if (!(err instanceof SshError) || tolerance.seen >= tolerance.allowed) throw err;
    tolerance.seen++;
    outcome.status = "unreachable";
    outcome.error = err.message;
    log.warn(
      `${host.name}: unreachable, skipped (${tolerance.seen} of ${tolerance.allowed} allowed): ${err.message}`,
    );
    return false;
  }
}
