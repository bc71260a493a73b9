/**
 * Image references as docker writes them: `host[:port]/path[:tag][@sha256:…]`.
 * The first component is a registry when it has a `.` or `:` or is
 * `localhost`, as in docker; otherwise the default registry applies.
 */
import { UsageError } from "../errors";
import { TAG_PATTERN } from "../version/tag";

export interface ImageReference {
  /** `host[:port]`; `docker.io` for Docker Hub. */
  registry: string;
  /** Path inside the registry, e.g. `team/app` (`library/x` on Docker Hub). */
  repository: string;
  tag?: string;
  /** `sha256:…` when the reference is pinned. */
  digest?: string;
}

export const DOCKER_HUB = "docker.io";
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$/;

export function parseReference(input: string, defaultRegistry = DOCKER_HUB): ImageReference {
  const fail = (why: string) => new UsageError(`invalid image reference "${input}": ${why}`);
  let rest = input.trim();
  if (!rest) throw fail("it is empty");

  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_PATTERN.test(digest)) throw fail(`"${digest}" is not a sha256:<64 hex> digest`);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_PATTERN.test(tag)) throw fail(`"${tag}" is not a valid tag`);
  }

  const parts = rest.split("/");
  let registry = defaultRegistry;
  const first = parts[0] ?? "";
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    if (!HOST.test(first)) throw fail(`"${first}" is not a valid registry host`);
    registry = first;
    parts.shift();
  }
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) {
    throw fail("the repository must be lower-case path components (a-z, 0-9, and . _ - between them)");
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift("library");
  const ref: ImageReference = { registry, repository: parts.join("/") };
  if (tag) ref.tag = tag;
  if (digest) ref.digest = digest;
  return ref;
}

/** `registry/repository[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  return (
    `${ref.registry}/${ref.repository}` +
    (ref.tag ? `:${ref.tag}` : "") +
    (ref.digest ? `@${ref.digest}` : "")
  );
}
