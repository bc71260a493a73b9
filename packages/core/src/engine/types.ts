/**
 * The engine seam: what every deploy engine does, with one request and one result shape per
 * operation, so the CLI, the actions, their outputs and job summaries never ask which engine runs.
 * The SSH engine lives in deploy/, the Swarm engine in swarm/; engineFor() (index.ts) picks one.
 * A third engine is a new folder with an object of this type, and one line in engineFor.
 */
import type { AnalysisReport, Clock, CompareReport } from "../deploy/analysis";
import type { CanaryResult } from "../deploy/canary";
import type { OpenHosts } from "../deploy/hosts";
import type { OneOffResult } from "../deploy/one-off";
import type { ContainerStatus } from "../deploy/operations";
import type { RollbackResult } from "../deploy/rollback";
import type { DeployReport } from "../deploy/rollout";
import type { ScaleResult } from "../deploy/scale";
import type { DeployEnvironment, RegistryAuth } from "../deploy/types";
import type { Logger } from "../log";
import type { SshSessionOptions } from "../ssh/session";
import type { SshTarget } from "../ssh/target";

/** What every operation is told. */
export interface EngineRequest {
  /** The environment; its env values may still hold `${NAME}` references (see envSource). */
  environment: DeployEnvironment;
  /**
   * Where `${NAME}` references are read from, resolved once the version to start is known (so
   * ${POWERTRAIN_VERSION} names it); none = the env values are already resolved.
   */
  envSource?: Record<string, string | undefined>;
  /** Overrides the environment's hosts. */
  hosts?: SshTarget[];
  ssh: SshSessionOptions;
  /** Credentials the hosts pull with; for the registry named here only. */
  registryAuth?: RegistryAuth;
  /** Address published ports bind to (default all interfaces). */
  bindAddress?: string;
  /** Tell containers apart by host name too (several SSH hosts sharing one Docker engine). */
  hostScope?: boolean;
  /** A deploy lock without heartbeat for this long belongs to a killed deploy (default 30 s). */
  lockStaleMs?: number;
  logger: Logger;
  /** The host seam of the SSH engine (default: SshSession); tests hand in fake hosts. */
  openHosts?: OpenHosts;
}

export interface EngineDeployRequest extends EngineRequest {
  /** Pinned image: registry/repository[:tag]@sha256:…. */
  image: string;
  /** Version label (default: the image's tag, else its short digest). */
  version?: string;
  /** Overrides run.instances. */
  instances?: number;
  /** Overrides deploy.maxParallel. */
  maxParallel?: number;
  /** Overrides deploy.strategy: rolling, blue-green or canary. */
  strategy?: string;
  /** Plan only: look at the hosts, change nothing. */
  dryRun?: boolean;
  deployId?: string;
}

export interface EngineRollbackRequest extends EngineRequest {
  /** Version to go back to (default: the one before the current). */
  to?: string;
  /** The deploy gate: called with the pinned image gone back to, before anything changes; a throw stops it. */
  verifyTarget?: (image: string) => Promise<void>;
}

export interface EngineLogsRequest extends EngineRequest {
  /** Lines per container. */
  tail: number;
  /** Keep following every serving container until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
}

export interface EngineScaleRequest extends EngineRequest {
  /** Instances (tasks) of the running version wanted, per host. */
  instances: number;
  /** Look and say what would change; touch nothing. */
  dryRun?: boolean;
}

export interface EngineRunRequest extends EngineRequest {
  /** What the one-off container runs (after the image's entrypoint). */
  command: string[];
  /** Attach a terminal (the caller's stdin is one); otherwise stdin, stdout and stderr stream. */
  tty: boolean;
  /** Say what would run, run nothing. */
  dryRun?: boolean;
}

export interface DeployEngine {
  readonly name: "ssh" | "swarm";
  deploy(req: EngineDeployRequest): Promise<DeployReport>;
  rollback(req: EngineRollbackRequest): Promise<RollbackResult[]>;
  status(req: EngineRequest): Promise<ContainerStatus[]>;
  logs(req: EngineLogsRequest, write: (line: string) => void): Promise<void>;
  /** Stop what serves (kept for a later rollback or start). */
  stop(req: EngineRequest): Promise<ContainerStatus[]>;
  /** More or fewer instances of the running version, health-gated, the router kept in step; no redeploy. */
  scale(req: EngineScaleRequest): Promise<ScaleResult[]>;
  promoteCanary(req: EngineRequest): Promise<CanaryResult[]>;
  abortCanary(req: EngineRequest): Promise<CanaryResult[]>;
  /** A one-off container of the deployed version on the first host (or `hosts[0]`), attached. */
  run(req: EngineRunRequest): Promise<OneOffResult>;
  /** Watch the running canary as deploy.canary.analysis says, then promote, abort or hold it. */
  analyzeCanary(req: EngineRequest & { clock?: Clock }): Promise<AnalysisReport>;
  /** The running canary against the stable set over the last `sinceMs`. */
  compareCanary(req: EngineRequest & { sinceMs: number }): Promise<CompareReport>;
}
