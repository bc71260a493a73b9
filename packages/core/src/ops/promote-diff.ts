/**
 * What a promotion moves: the image an environment (or a tag) has now and the one coming, the
 * commits between them as a compare link made of the images' own labels
 * (org.opencontainers.image.revision and .source), the test totals each image's test-result
 * attestation records, and the size delta. Everything is read through the registry API —
 * manifests, the config blob and the attestation, never a layer. `promoteDiff` and `compareUrl`
 * are pure and table-tested; hostile label values never become a link.
 */
import { formatBytes } from "../build/image-report";
import type { RegistryClient } from "../registry/client";
import { RegistryError } from "../registry/errors";
import { imageSize, type Platform } from "../registry/manifest";
import { parseReference } from "../registry/reference";
import type { VerifyingKey } from "../sign/keys";
import { TEST_RESULTS_PREDICATE, type TestResultsPredicate } from "../sign/test-results";
import { readAttestations } from "../sign/verify";

export const OCI = {
  revision: "org.opencontainers.image.revision",
  source: "org.opencontainers.image.source",
  version: "org.opencontainers.image.version",
  created: "org.opencontainers.image.created",
} as const;

/** One image as the diff sees it. */
export interface ImageFacts {
  /** registry/repository@sha256:… (the index, for a multi-platform image). */
  image: string;
  digest: string;
  version?: string;
  commit?: string;
  /** The repository it was built from (the source label), as written. */
  source?: string;
  created?: string;
  /** Compressed bytes of the platform's image: config and layers, what a host pulls. */
  size: number;
  /** The newest test-result attestation's totals; `verified` when a key was given and it verifies. */
  tests?: TestTotals;
}

export interface TestTotals {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  verified: boolean;
}

export interface PromoteDiff {
  /** What runs (or the target tag points at) now; none on a first promotion. */
  current?: ImageFacts;
  coming: ImageFacts;
  /** The same digest: nothing moves. */
  same: boolean;
  /** A link to the commits between the two, when both images say where they were built. */
  compareUrl?: string;
  /** Why there is no link, when there is a current image. */
  compareNote?: string;
  /** coming.size − current.size, in bytes. */
  sizeDelta?: number;
  /** Coming is older than current (by their created labels): a rollback. */
  older?: boolean;
}

/** Pure: the diff of two images' facts. */
export function promoteDiff(current: ImageFacts | undefined, coming: ImageFacts): PromoteDiff {
  if (!current) return { coming, same: false };
  const diff: PromoteDiff = { current, coming, same: current.digest === coming.digest };
  if (diff.same) return diff;
  diff.sizeDelta = coming.size - current.size;
  const [a, b] = [current.created, coming.created].map((t) => (t ? Date.parse(t) : Number.NaN));
  if (Number.isFinite(a) && Number.isFinite(b) && b! < a!) diff.older = true;
  const link = compareLink(current, coming);
  if ("url" in link) diff.compareUrl = link.url;
  else diff.compareNote = link.note;
  return diff;
}

function compareLink(current: ImageFacts, coming: ImageFacts): { url: string } | { note: string } {
  if (!current.commit || !coming.commit) return { note: "an image has no commit label" };
  if (current.commit === coming.commit) return { note: "both were built from the same commit" };
  const from = repositoryUrl(current.source);
  const to = repositoryUrl(coming.source);
  if (!from || !to) return { note: "an image has no usable source label" };
  if (from !== to) return { note: `built from different repositories (${from}, ${to})` };
  const url = compareUrl(to, current.commit, coming.commit);
  return url ? { url } : { note: "the commit labels are not commit ids" };
}

const COMMIT = /^[0-9a-f]{7,64}$/i;

/**
 * Pure: the compare page of a repository between two commits — GitLab's `/-/compare/`, everyone
 * else's (GitHub, Gitea, Forgejo) `/compare/a...b`. Undefined for anything that is not a plain
 * https repository URL and two commit ids.
 */
export function compareUrl(source: string, from: string, to: string): string | undefined {
  const repo = repositoryUrl(source);
  if (!repo || !COMMIT.test(from) || !COMMIT.test(to)) return undefined;
  const path = new URL(repo).hostname.includes("gitlab") ? "/-/compare/" : "/compare/";
  return `${repo}${path}${from}...${to}`;
}

/**
 * Pure: a source label as the repository's web address — `https://host/owner/repo`, with
 * `git@host:owner/repo.git` and `ssh://git@host/…` forms mapped onto it; undefined for anything
 * else (other schemes, credentials, queries, spaces or quotes: a label is the image's word, not ours).
 */
export function repositoryUrl(source: string | undefined): string | undefined {
  if (!source) return undefined;
  let text = source.trim();
  const scp = /^git@([A-Za-z0-9.-]+):(.+)$/.exec(text);
  if (scp) text = `https://${scp[1]}/${scp[2]}`;
  text = text.replace(/^(ssh|git\+ssh):\/\/git@/, "https://");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.username || url.password || url.search || url.hash || url.port) return undefined;
  const path = url.pathname.replace(/\.git$/, "").replace(/\/+$/, "");
  if (!/^(\/[A-Za-z0-9_.-]+){2,}$/.test(path)) return undefined;
  return `${url.protocol}//${url.hostname}${path}`;
}

export interface ReadFactsOptions {
  client: RegistryClient;
  repository: string;
  /** A tag or a digest. */
  reference: string;
  /** For a multi-platform index (default linux/amd64). */
  platform?: Platform;
  /** Verifies the test attestation; without it the totals are shown as unverified. */
  key?: VerifyingKey;
}

/** The facts of one image, from its manifests, config blob and attestations. */
export async function readImageFacts(options: ReadFactsOptions): Promise<ImageFacts> {
  const { client, repository, reference } = options;
  const top = await client.getManifest(repository, reference);
  const { manifest } = await client.getImageManifest(repository, top.digest, options.platform);
  const labels = (await client.getConfig(repository, manifest)).labels;
  const facts: ImageFacts = {
    image: `${client.registry}/${repository}@${top.digest}`,
    digest: top.digest,
    size: imageSize(manifest),
  };
  for (const [key, label] of [
    ["version", OCI.version],
    ["commit", OCI.revision],
    ["source", OCI.source],
    ["created", OCI.created],
  ] as const) {
    if (labels[label]) facts[key] = labels[label];
  }
  const tests = await readTests(options, top.digest);
  if (tests) facts.tests = tests;
  return facts;
}

/** The facts of `reference`, or undefined when the registry has no such tag (a first promotion). */
export async function readImageFactsIfAny(options: ReadFactsOptions): Promise<ImageFacts | undefined> {
  try {
    return await readImageFacts(options);
  } catch (err) {
    if (err instanceof RegistryError && err.kind === "not-found") return undefined;
    throw err;
  }
}

async function readTests(options: ReadFactsOptions, digest: string): Promise<TestTotals | undefined> {
  const stored = await readAttestations({
    client: options.client,
    repository: options.repository,
    digest,
    ...(options.key ? { key: options.key } : {}),
  });
  const newest = stored
    .filter((a) => a.statement.predicateType === TEST_RESULTS_PREDICATE)
    .map((a) => ({ p: a.statement.predicate as TestResultsPredicate, verified: a.verified }))
    .filter(({ p }) => p && typeof p.tests?.total === "number")
    .sort((x, y) => String(y.p.createdAt).localeCompare(String(x.p.createdAt)))[0];
  if (!newest) return undefined;
  const t = newest.p.tests;
  return {
    total: t.total,
    passed: t.passed,
    failed: t.failed,
    skipped: t.skipped,
    verified: newest.verified,
  };
}

/** "10/10 passed", "2 of 10 failed", "-"; "(unverified)" unless a key checked it. */
export function formatTests(t: TestTotals | undefined): string {
  if (!t) return "-";
  const what = t.failed > 0 ? `${t.failed} of ${t.total} failed` : `${t.passed}/${t.total} passed`;
  return `${what}${t.skipped ? `, ${t.skipped} skipped` : ""}${t.verified ? "" : " (unverified)"}`;
}

/** "+1.2 MB", "−340 kB", "±0 B". */
export function formatSizeDelta(bytes: number): string {
  const sign = bytes > 0 ? "+" : bytes < 0 ? "−" : "±";
  return `${sign}${formatBytes(Math.abs(bytes))}`;
}

/** The diff as plain text, for the CLI. */
export function formatPromoteDiff(diff: PromoteDiff, target: string): string {
  const { current, coming } = diff;
  const name = (f: ImageFacts) => f.version ?? f.digest.slice(0, 19);
  if (diff.same) return `${target} already runs ${name(coming)} (${coming.digest}): nothing moves\n`;
  const rows: [string, string, string][] = [
    ["", "now", "coming"],
    ["version", current ? name(current) : "(none)", name(coming)],
    ["digest", current?.digest ?? "-", coming.digest],
    ["commit", current?.commit ?? "-", coming.commit ?? "-"],
    ["tests", current ? formatTests(current.tests) : "-", formatTests(coming.tests)],
    [
      "size",
      current ? formatBytes(current.size) : "-",
      `${formatBytes(coming.size)}${diff.sizeDelta !== undefined ? ` (${formatSizeDelta(diff.sizeDelta)})` : ""}`,
    ],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const lines = [
    `${target}: ${current ? `${name(current)} → ${name(coming)}` : `first promotion of ${name(coming)}`}${diff.older ? " (an older build: a rollback)" : ""}`,
    ...rows.map((r) => `  ${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`.trimEnd()),
  ];
  if (diff.compareUrl) lines.push(`  commits: ${diff.compareUrl}`);
  else if (diff.compareNote) lines.push(`  commits: no link (${diff.compareNote})`);
  return `${lines.join("\n")}\n`;
}

/**
 * The diff of a promotion named by references: `coming` (by digest, as approved) and what runs now
 * (`current`, undefined on a first promotion). `clientFor` gives a registry client per registry
 * (credentials are the caller's business); the clients are closed here.
 */
export async function diffReferences(o: {
  current?: string;
  coming: string;
  clientFor: (registry: string) => Promise<RegistryClient>;
  platform?: Platform;
  key?: VerifyingKey;
}): Promise<PromoteDiff> {
  const clients = new Map<string, Promise<RegistryClient>>();
  const client = (registry: string) => {
    if (!clients.has(registry)) clients.set(registry, o.clientFor(registry));
    return clients.get(registry)!;
  };
  const facts = async (text: string) => {
    const ref = parseReference(text);
    return readImageFacts({
      client: await client(ref.registry),
      repository: ref.repository,
      reference: ref.digest ?? ref.tag ?? "latest",
      ...(o.platform ? { platform: o.platform } : {}),
      ...(o.key ? { key: o.key } : {}),
    });
  };
  try {
    // Side by side, sharing a client (its connections and what it learnt of auth) per registry.
    const [current, coming] = await Promise.all([o.current ? facts(o.current) : undefined, facts(o.coming)]);
    return promoteDiff(current, coming);
  } finally {
    for (const c of clients.values()) await (await c).close();
  }
}
