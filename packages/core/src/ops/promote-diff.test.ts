import {
  compareUrl,
  formatPromoteDiff,
  formatSizeDelta,
  formatTests,
  type ImageFacts,
  promoteDiff,
  repositoryUrl,
} from "./promote-diff";

const A = "a".repeat(40);
const B = "b".repeat(40);
const facts = (o: Partial<ImageFacts> = {}): ImageFacts => ({
  image: `reg.example.com/shop@sha256:${"1".repeat(64)}`,
  digest: `sha256:${"1".repeat(64)}`,
  version: "1-aaaaaaa",
  commit: A,
  source: "https://github.com/acme/shop",
  created: "2026-01-01T00:00:00Z",
  size: 50_000_000,
  ...o,
});
const next = (o: Partial<ImageFacts> = {}) =>
  facts({
    image: `reg.example.com/shop@sha256:${"2".repeat(64)}`,
    digest: `sha256:${"2".repeat(64)}`,
    version: "2-bbbbbbb",
    commit: B,
    created: "2026-01-02T00:00:00Z",
    size: 51_200_000,
    ...o,
  });

describe("repositoryUrl", () => {
  test.each<[string | undefined, string | undefined]>([
    ["https://github.com/acme/shop", "https://github.com/acme/shop"],
    ["https://github.com/acme/shop.git", "https://github.com/acme/shop"],
    ["https://github.com/acme/shop/", "https://github.com/acme/shop"],
    ["git@github.com:acme/shop.git", "https://github.com/acme/shop"],
    ["ssh://git@gitlab.example.com/group/sub/shop.git", "https://gitlab.example.com/group/sub/shop"],
    ["http://gitea.internal/acme/shop", "http://gitea.internal/acme/shop"],
    [undefined, undefined],
    ["", undefined],
    ["acme/shop", undefined],
    ["javascript:alert(1)//github.com/a/b", undefined],
    ["file:///etc/passwd", undefined],
    ["https://user:token@github.com/acme/shop", undefined],
    ["https://github.com/acme/shop?x=1", undefined],
    ["https://github.com/acme", undefined],
    ['https://github.com/acme/shop"><script>', undefined],
    ["https://github.com/acme/sh op", undefined],
  ])("%s → %s", (source, url) => {
    expect(repositoryUrl(source)).toBe(url);
  });
});

describe("compareUrl", () => {
  test.each<[string, string, string, string | undefined]>([
    ["https://github.com/acme/shop", A, B, `https://github.com/acme/shop/compare/${A}...${B}`],
    ["https://gitlab.com/acme/shop", A, B, `https://gitlab.com/acme/shop/-/compare/${A}...${B}`],
    [
      "https://github.com/acme/shop",
      "abc1234",
      "def5678",
      "https://github.com/acme/shop/compare/abc1234...def5678",
    ],
    ["https://github.com/acme/shop", A, "main", undefined],
    ["https://github.com/acme/shop", "a;rm -rf", B, undefined],
    ["nonsense", A, B, undefined],
  ])("%s %s…%s", (source, from, to, url) => {
    expect(compareUrl(source, from, to)).toBe(url);
  });
});

describe("promoteDiff", () => {
  test.each<[string, ImageFacts | undefined, ImageFacts, object]>([
    ["a first promotion has nothing to compare", undefined, next(), { same: false, compareUrl: undefined }],
    ["the same digest: nothing moves", facts(), facts(), { same: true, sizeDelta: undefined }],
    [
      "a newer build: the commits between them and the size delta",
      facts(),
      next(),
      { same: false, compareUrl: `https://github.com/acme/shop/compare/${A}...${B}`, sizeDelta: 1_200_000 },
    ],
    ["an older build is a rollback", next(), facts(), { older: true, sizeDelta: -1_200_000 }],
    [
      "no commit label: no link, and why",
      facts({ commit: undefined }),
      next(),
      { compareUrl: undefined, compareNote: "an image has no commit label" },
    ],
    [
      "different source repositories: no link",
      facts({ source: "https://github.com/acme/other" }),
      next(),
      { compareUrl: undefined, compareNote: expect.stringContaining("different repositories") },
    ],
    [
      "a hostile source label: no link",
      facts({ source: "javascript:alert(1)" }),
      next({ source: "javascript:alert(1)" }),
      { compareUrl: undefined, compareNote: "an image has no usable source label" },
    ],
    [
      "a rebuild of the same commit",
      facts(),
      next({ commit: A }),
      { compareUrl: undefined, compareNote: "both were built from the same commit" },
    ],
    [
      "the source may be written differently on each side",
      facts({ source: "git@github.com:acme/shop.git" }),
      next(),
      { compareUrl: `https://github.com/acme/shop/compare/${A}...${B}` },
    ],
  ])("%s", (_name, current, coming, expected) => {
    const diff = promoteDiff(current, coming) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) {
      if (value === undefined) expect(diff[key]).toBeUndefined();
      else expect(diff[key]).toEqual(value);
    }
  });
});

describe("formatting", () => {
  test.each([
    [undefined, "-"],
    [{ total: 10, passed: 10, failed: 0, skipped: 0, verified: true }, "10/10 passed"],
    [{ total: 10, passed: 8, failed: 0, skipped: 2, verified: true }, "8/10 passed, 2 skipped"],
    [{ total: 10, passed: 8, failed: 2, skipped: 0, verified: false }, "2 of 10 failed (unverified)"],
  ])("tests %j → %s", (t, text) => {
    expect(formatTests(t)).toBe(text);
  });

  test.each([
    [1_200_000, "+1.20 MB"],
    [-340_000, "−340 kB"],
    [0, "±0 B"],
    [999, "+999 B"],
  ])("size delta %d → %s", (n, text) => {
    expect(formatSizeDelta(n)).toBe(text);
  });

  test("the text diff names both versions, the link, tests and size", () => {
    const text = formatPromoteDiff(
      promoteDiff(facts({ tests: { total: 9, passed: 9, failed: 0, skipped: 0, verified: false } }), next()),
      "prod",
    );
    expect(text).toContain("prod: 1-aaaaaaa → 2-bbbbbbb\n");
    expect(text).toMatch(/^ {2}tests\s+9\/9 passed \(unverified\)\s+-$/m);
    expect(text).toMatch(/^ {2}size\s+50\.0 MB\s+51\.2 MB \(\+1\.20 MB\)$/m);
    expect(text).toContain(`commits: https://github.com/acme/shop/compare/${A}...${B}`);
    expect(formatPromoteDiff(promoteDiff(facts(), facts()), "prod")).toMatch(/nothing moves/);
    expect(formatPromoteDiff(promoteDiff(undefined, next()), "prod")).toMatch(/first promotion of 2-bbbbbbb/);
  });
});
