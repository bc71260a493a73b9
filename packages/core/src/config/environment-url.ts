/**
 * `environments.<name>.url`: where the environment can be seen, for GitHub's environment page and
 * ssh-deploy's `url` output. A template that may name the first host (`{host}`) and the first
 * published port (`{port}`); rendered when the environment is resolved, so the contract carries a
 * plain, checked URL.
 */

/** What a template may name. */
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The URL of `template` for these hosts and ports; throws an Error whose message says what is wrong. */
export function renderEnvironmentUrl(
  template: string,
  hosts: readonly { host: string }[],
  ports: readonly { host?: { from: number } }[],
): string {
  const text = template.replace(PLACEHOLDER, (_, name: string) => {
    if (name === "host") {
      const host = hosts[0]?.host;
      if (!host) throw new Error("uses {host}, but the environment has no hosts");
      return host.includes(":") ? `[${host}]` : host;
    }
    if (name === "port") {
      const port = ports.find((p) => p.host)?.host?.from;
      if (port === undefined) throw new Error("uses {port}, but run.ports publishes no host port");
      return String(port);
    }
    throw new Error(`unknown placeholder {${name}}: expected {host} or {port}`);
  });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`"${text}": expected an http:// or https:// URL`);
  }
  if (url.username || url.password)
    throw new Error(`"${text}": no credentials in a URL that is shown to everyone`);
  if (/[\s"'<>`]/.test(text)) throw new Error(`"${text}": spaces, quotes and angle brackets are not allowed`);
  return text;
}
