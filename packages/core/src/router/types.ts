/**
 * A router puts an app+environment's instances behind a load balancer. The
 * deploy hands it the complete desired upstream set; the router makes the
 * load balancer serve exactly that set (validated, applied in one step), or
 * leaves the previous set in place and throws.
 */
import type { MetricRow } from "../canary/stats";
import type { ResolvedRouter } from "../config/resolved";
import { PowertrainError } from "../errors";

/** One backend in the upstream set. */
export interface UpstreamServer {
  /** Address the load balancer reaches the instance at. */
  address: string;
  port: number;
  /** Relative share of requests (a positive whole number). */
  weight: number;
  /** Version the instance runs; for status and for telling old from new. */
  version: string;
  /** Container name, when known. */
  container?: string;
}

export interface Router {
  /** What it is, for messages: "nginx /etc/nginx/conf.d/powertrain/app-prod.conf". */
  readonly description: string;
  /** Fails early (RouterError) when the load balancer cannot be driven, before any container starts. */
  check(): Promise<void>;
  /** The upstream set in effect, or undefined when powertrain never wrote one. */
  current(): Promise<UpstreamServer[] | undefined>;
  /**
   * Make `servers` the upstream set: validate and apply in one step (graceful
   * reload). On any failure the previous set is restored and RouterError thrown.
   */
  apply(servers: UpstreamServer[]): Promise<void>;
  /**
   * Per-backend request numbers since `since` (or since the last call, by cursor): what canary
   * analysis and `powertrain compare` read. RouterError when this router cannot tell.
   */
  metrics(req: MetricsRequest): Promise<RouterMetrics>;
}

export interface MetricsRequest {
  /** Only requests at or after this time (unix seconds). */
  since: number;
  /** The previous answer's cursor: only what came after it. */
  cursor?: string;
  /** Width of the time slots the rows are grouped in, seconds. */
  slotSeconds: number;
}

export interface RouterMetrics {
  /** Rows per backend address ("127.0.0.1:18001"), time slot and latency bucket. */
  rows: MetricRow[];
  /** Hand it back with the next request to get only what came after. */
  cursor: string;
}

/** How the environment's router is configured: the resolved `deploy.router` of powertrain.yml. */
export type RouterConfig = ResolvedRouter;

/** The load balancer rejected or could not apply an upstream set; the previous set still serves. */
export class RouterError extends PowertrainError {}
