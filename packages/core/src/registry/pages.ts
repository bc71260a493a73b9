/**
 * `Link: rel="next"` pagination (tag lists, the catalog) that a registry
 * cannot abuse: pages stay on the registry's origin, never repeat, and stop
 * at the page cap — so it can neither send this client elsewhere nor keep it
 * forever (a registry answering one page with a link to itself used to make
 * 62,100 requests in 3 s).
 */
import { parseLinkNext } from "./challenge";
import { header } from "./http-util";
import type { RegistryTransport } from "./transport";

export interface PageWalk {
  first: string;
  /** The JSON key holding each page's items (`tags`, `repositories`). */
  key: string;
  repository: string;
  scopes: string[];
}

export async function paginate(http: RegistryTransport, maxPages: number, walk: PageWalk): Promise<string[]> {
  const { repository, scopes, key } = walk;
  const registry = http.registry;
  const items: string[] = [];
  const seen = new Set<string>();
  let url = new URL(http.url(walk.first));
  for (;;) {
    seen.add(url.toString());
    if (seen.size > maxPages) {
      throw http.error(
        "protocol",
        `registry ${registry} kept sending next pages for ${repository || "the catalog"}; stopped after ${maxPages}`,
        repository,
      );
    }
    const res = await http.send({ method: "GET", path: url.toString(), repository, scopes, ok: [200] });
    const raw = await http.read(res, http.limits.listBytes, "a list page", repository);
    let json: Record<string, string[] | null>;
    try {
      json = JSON.parse(raw.toString("utf8")) as typeof json;
    } catch {
      throw http.error("protocol", `registry ${registry} sent a list page that is not JSON`, repository);
    }
    items.push(...(json?.[key] ?? []));
    const link = parseLinkNext(header(res, "link"));
    if (!link) return items;
    const next = new URL(link, url);
    if (next.origin !== http.origin) {
      throw http.error(
        "protocol",
        `registry ${registry} sent a next page on another origin (${next.origin}); refusing to follow it`,
        repository,
      );
    }
    if (seen.has(next.toString())) {
      throw http.error(
        "protocol",
        `registry ${registry} sent a next page it already sent (${next.pathname}${next.search}); refusing to loop`,
        repository,
      );
    }
    url = next;
  }
}
