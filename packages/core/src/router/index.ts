import { UsageError } from "../errors";
import type { RemoteHost } from "../ssh/session";
import { CommandRouter } from "./command";
import { NginxRouter } from "./nginx";
import type { Router, RouterConfig } from "./types";

export * from "./command";
export * from "./nginx";
export * from "./types";
export * from "./weights";

const NAME = /^[A-Za-z0-9._-]+$/;

/** The upstream name of an app+environment: settings.upstream, else `<app>-<environment>`. */
export function upstreamName(settings: RouterConfig, app: string, environment: string): string {
  const name = settings.upstream ?? `${app}-${environment}`;
  if (!NAME.test(name))
    throw new UsageError(`deploy.router.upstream "${name}": expected letters, digits, ".", "_" and "-"`);
  return name;
}

/** The router of an environment on one deploy host. */
export function createRouter(
  host: RemoteHost,
  settings: RouterConfig,
  scope: { app: string; environment: string },
  /** deploy.canary.analysis.metrics-command, for a command router. */
  metricsCommand?: string[],
): Router {
  const upstream = upstreamName(settings, scope.app, scope.environment);
  if (settings.type === "command") {
    if (!settings.command?.length) throw new UsageError("deploy.router: type command needs a command");
    return new CommandRouter(host, { ...scope, upstream, command: settings.command, metricsCommand });
  }
  return new NginxRouter(host, {
    upstream,
    confDir: settings.confDir ?? "/etc/nginx/conf.d",
    nginx: settings.nginx ?? "nginx",
    config: settings.nginxConfig,
    reload: settings.reload,
    owner: `${scope.app} in ${scope.environment}`,
  });
}
