/**
 * Version templates from powertrain.yml (`tags.version`): `{build}`, `{sha}`,
 * `{sha:N}`, `{branch}`, `{semver}` and `{date}`, rendered from CI metadata.
 * A pull-request build renders every tag under `pr-<n>-` and gets no
 * branch-gated extra tags: its head branch may well be named `main`, and its
 * images must never pass for the default branch's.
 */
import { UsageError } from "../errors";
import type { CiMetadata } from "./ci";
import { sanitizeTag } from "./tag";

export const DEFAULT_VERSION_TEMPLATE = "{build}-{sha:7}";

/** Values a template can use; a subset of CiMetadata so tests can pass literals. */
export type TemplateValues = Pick<CiMetadata, "buildNumber" | "sha" | "branch" | "semver" | "pullRequest"> & {
  date?: Date;
};

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * Render `template`; an unknown placeholder or a value that is not available is a UsageError.
 * On a pull-request build the result starts with `pr-<n>-` (see pullRequestTag).
 */
export function renderTemplate(template: string, values: TemplateValues): string {
  const rendered = template.replace(PLACEHOLDER, (_match, body: string) =>
    placeholder(template, body.trim(), values),
  );
  return pullRequestTag(rendered, values);
}

/** `tag` under the pull request's `pr-<n>-` prefix (unchanged outside pull requests or when already there). */
export function pullRequestTag(tag: string, values: Pick<TemplateValues, "pullRequest">): string {
  if (values.pullRequest === undefined) return tag;
  const prefix = `pr-${values.pullRequest}-`;
  return tag.startsWith(prefix) ? tag : `${prefix}${tag}`;
}

function placeholder(template: string, body: string, values: TemplateValues): string {
  const [name, arg] = body.split(":", 2) as [string, string | undefined];
  const missing = (what: string) =>
    new UsageError(`tag template "${template}": {${body}} needs ${what}, which this build does not have`);
  switch (name) {
    case "build":
      if (arg !== undefined) break;
      return String(values.buildNumber);
    case "sha": {
      if (!values.sha) throw missing("a commit sha");
      if (arg === undefined) return values.sha;
      if (!/^\d+$/.test(arg) || Number(arg) < 1)
        throw new UsageError(`tag template "${template}": {sha:${arg}} needs a length such as {sha:7}`);
      return values.sha.slice(0, Number(arg));
    }
    case "branch":
      if (arg !== undefined) break;
      if (!values.branch) throw missing("a branch name");
      return sanitizeTag(values.branch);
    case "semver":
      if (arg !== undefined) break;
      if (!values.semver) throw missing("a version tag such as v1.2.3");
      return values.semver;
    case "date":
      if (arg !== undefined) break;
      return utcDate(values.date ?? new Date());
  }
  throw new UsageError(
    `tag template "${template}": unknown placeholder {${body}}; use {build}, {sha}, {sha:N}, {branch}, {semver} or {date}`,
  );
}

function utcDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

/** An extra tag from powertrain.yml: always, or only on some branches. */
export type ExtraTagSpec = string | { tag: string; branches?: string[] };

export interface ResolveTagsOptions {
  /** `--version` / the action's `version` input; wins over the template. */
  override?: string;
  /** The template from powertrain.yml (default `{build}-{sha:7}`). */
  template?: string;
  extra?: readonly ExtraTagSpec[];
  values: TemplateValues;
}

/**
 * The version tag and every extra tag that applies on this branch, rendered, sanitised and
 * de-duplicated. On a pull request every tag (an override too) is under `pr-<n>-`, and extra
 * tags gated by `branches` are left out whatever the head branch is called.
 */
export function resolveTags(options: ResolveTagsOptions): { version: string; tags: string[] } {
  const { values } = options;
  const raw = options.override?.trim()
    ? pullRequestTag(options.override.trim(), values)
    : renderTemplate(options.template ?? DEFAULT_VERSION_TEMPLATE, values);
  const version = sanitizeTag(raw);
  const tags = [version];
  for (const spec of options.extra ?? []) {
    const { tag, branches } = typeof spec === "string" ? { tag: spec, branches: undefined } : spec;
    if (branches && (values.pullRequest !== undefined || !values.branch || !branches.includes(values.branch)))
      continue;
    const rendered = sanitizeTag(renderTemplate(tag, values));
    if (!tags.includes(rendered)) tags.push(rendered);
  }
  return { version, tags };
}
