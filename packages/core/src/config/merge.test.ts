import { mergeOverlay } from "./merge";

describe("mergeOverlay", () => {
  test.each([
    ["scalars replace", { a: 1, b: 2 }, { b: 3 }, { a: 1, b: 3 }],
    ["new keys are added", { a: 1 }, { b: 2 }, { a: 1, b: 2 }],
    ["lists replace, not append", { ports: ["80", "81"] }, { ports: ["90"] }, { ports: ["90"] }],
    [
      "maps merge per key, recursively",
      { run: { env: { A: "1", B: "2" }, instances: 2 } },
      { run: { env: { B: "3", C: "4" } } },
      { run: { env: { A: "1", B: "3", C: "4" }, instances: 2 } },
    ],
    ["null removes a key", { env: { A: "1", SECRET: "x" } }, { env: { SECRET: null } }, { env: { A: "1" } }],
    ["null for a missing key leaves nothing behind", { env: {} }, { env: { GONE: null } }, { env: {} }],
    [
      "nulls inside a map that replaces a scalar are dropped",
      { env: "x" },
      { env: { A: "1", B: null } },
      { env: { A: "1" } },
    ],
    ["undefined keeps the base", { a: 1 }, { a: undefined }, { a: 1 }],
    ["a map replaces a list", { a: [1] }, { a: { b: 1 } }, { a: { b: 1 } }],
    ["a scalar replaces a map", { a: { b: 1 } }, { a: 5 }, { a: 5 }],
    ["an empty overlay changes nothing", { a: { b: [1, 2] } }, {}, { a: { b: [1, 2] } }],
    ["no base at all", undefined, { a: { b: null, c: 1 } }, { a: { c: 1 } }],
    ["false and 0 are values, not removals", { a: true, b: 1 }, { a: false, b: 0 }, { a: false, b: 0 }],
  ])("%s", (_name, base, overlay, expected) => {
    expect(mergeOverlay(base as Record<string, unknown> | undefined, overlay)).toEqual(expected);
  });

  test("does not modify its inputs", () => {
    const base = { run: { env: { A: "1" } } };
    const overlay = { run: { env: { A: null, B: "2" } } };
    const snapshot = JSON.stringify([base, overlay]);
    mergeOverlay(base, overlay);
    expect(JSON.stringify([base, overlay])).toBe(snapshot);
  });
});
