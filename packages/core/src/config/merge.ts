/**
 * The overlay rule for environments: maps merge key by key (recursively),
 * scalars and lists replace, and `null` in the overlay removes the key
 * (e.g. an env var the base sets that one environment must not have).
 */

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `overlay` on top of `base`; neither is modified. A missing (undefined) overlay value keeps the base. */
export function mergeOverlay<T extends PlainObject>(
  base: T | undefined,
  overlay: PlainObject | undefined,
): T {
  const result: PlainObject = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(overlay ?? {})) {
    if (value === undefined) continue;
    if (value === null) {
      delete result[key];
    } else if (isPlainObject(value) && isPlainObject(result[key])) {
      result[key] = mergeOverlay(result[key] as PlainObject, value);
    } else {
      result[key] = isPlainObject(value) ? mergeOverlay({}, value) : value;
    }
  }
  return result as T;
}
