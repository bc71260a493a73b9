/**
 * A router puts an app+environment's instances behind a load balancer. The
 * deploy hands it the complete desired upstream set; the router makes the
 * load balancer serve exactly that set (validated, applied in one step), or
 * leaves the previous set in place and throws.
 */
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
}

/** How the environment's router is configured: the resolved `deploy.router` of powertrain.yml. */
export type RouterConfig = ResolvedRouter;

/** The load balancer rejected or could not apply an upstream set; the previous set still serves. */
export class RouterError extends PowertrainError {}
