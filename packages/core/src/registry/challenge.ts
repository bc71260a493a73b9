/**
 * Parsing of the headers the distribution API uses for auth and paging:
 * `WWW-Authenticate` challenges (RFC 7235 auth-params) and `Link` (RFC 8288).
 */

export interface AuthChallenge {
  /** Lower-case scheme: `bearer`, `basic`, … */
  scheme: string;
  params: Record<string, string>;
}

/** Parse one `WWW-Authenticate` header; quoted values may contain commas and escaped quotes. */
export function parseWwwAuthenticate(header: string): AuthChallenge | undefined {
  const m = header.trim().match(/^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s*(.*)$/s);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/gs;
  for (const p of (m[2] ?? "").matchAll(re)) {
    const key = (p[1] ?? "").toLowerCase();
    params[key] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : (p[3] ?? "");
  }
  return { scheme: (m[1] ?? "").toLowerCase(), params };
}

/** The `rel="next"` target of a `Link` header, if any. */
export function parseLinkNext(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const rels = [...(part[2] ?? "").matchAll(/;\s*rel\s*=\s*"?([^";]+)"?/gi)].flatMap((r) =>
      (r[1] ?? "").trim().split(/\s+/),
    );
    if (rels.includes("next")) return part[1];
  }
  return undefined;
}
