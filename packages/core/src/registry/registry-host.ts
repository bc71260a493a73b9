/**
 * One spelling per registry, so a credential keyed `https://index.docker.io/v1/`
 * in docker's config, `docker.io` in a list and `Registry.Example.com:443/v2/`
 * in a secret all find the registry they belong to — and nothing else.
 */
const DOCKER_HUB_ALIASES = new Set([
  "docker.io",
  "index.docker.io",
  "registry-1.docker.io",
  "registry.hub.docker.com",
]);

/** `host[:port]`, lower-case, without scheme or path; every Docker Hub alias becomes `docker.io`. */
export function normalizeRegistryHost(text: string): string {
  const host = text
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
    .replace(/\/.*$/, "")
    .toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? "docker.io" : host;
}

export function sameRegistry(a: string, b: string): boolean {
  return normalizeRegistryHost(a) === normalizeRegistryHost(b);
}

/** The server URL docker and its credential helpers key a registry by. */
export function dockerServerUrl(registry: string): string {
  const host = normalizeRegistryHost(registry);
  return host === "docker.io" ? "https://index.docker.io/v1/" : host;
}
