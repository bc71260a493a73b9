import { findByCommit, newestFirst, type PublishedImage } from "./images";

const img = (digest: string, created?: string, commit?: string, buildNumber?: number): PublishedImage => ({
  digest,
  tags: [digest],
  created,
  commit,
  buildNumber,
  size: 1,
});

const images = [
  img("a", "2026-01-01T00:00:00Z", "3f2a9c1d", 1),
  img("b", "2026-03-01T00:00:00Z", "3f2a0000", 3),
  img("c", undefined, "abcdef12", 9),
  img("d", "2026-03-01T00:00:00Z", "ffff0000", 4),
  img("e", undefined, undefined),
];

test("newest first, build number breaks ties, undated last", () => {
  expect([...images].sort(newestFirst).map((i) => i.digest)).toEqual(["d", "b", "a", "c", "e"]);
});

test.each([
  ["3f2a", ["b", "a"]],
  ["3F2A9C1", ["a"]],
  ["abcdef12", ["c"]],
  ["1234", []],
])("findByCommit(%s)", (sha, digests) => {
  expect(findByCommit(images, sha).map((i) => i.digest)).toEqual(digests);
});

test.each([["abc"], ["xyz12"], [""], ["3f2a 9c"]])("findByCommit rejects %j", (sha) => {
  expect(() => findByCommit(images, sha)).toThrow(/invalid commit/);
});
