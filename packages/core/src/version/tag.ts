/**
 * Tags as registries accept them: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
 * Every tag powertrain pushes goes through `sanitizeTag`, so a branch named
 * `feature/ÄÖ new` still yields a usable tag instead of a failed push.
 */

export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_TAG_LENGTH = 128;

/** True when `tag` is valid as it is. */
export function isValidTag(tag: string): boolean {
  return TAG_PATTERN.test(tag);
}

/**
 * Make any string a valid tag: letters are decomposed and stripped of accents,
 * every run of other characters becomes one `-`, a leading `.`/`-` is
 * dropped, the result is cut at 128 characters. Never returns an empty tag.
 */
export function sanitizeTag(input: string): string {
  const ascii = input.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  let tag = ascii
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[.-]+/, "");
  tag = tag.slice(0, MAX_TAG_LENGTH).replace(/[.-]+$/, "");
  return tag.length > 0 ? tag : "_";
}
