import { digestLike, isDigest, sha256 } from "./digest";

const data = Buffer.from("hello");
const hello256 = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

test("sha256 of known bytes", () => {
  expect(sha256(data)).toBe(hello256);
});

test.each([
  [hello256, hello256],
  [
    "sha512:00",
    `sha512:${"9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"}`,
  ],
  ["md5:00", undefined],
])("digestLike(%s)", (like, expected) => {
  expect(digestLike(like, data)).toBe(expected);
});

test.each([
  [hello256, true],
  ["latest", false],
  ["1-abcdef0", false],
  ["v1.2", false],
])("isDigest(%s) = %s", (ref, expected) => {
  expect(isDigest(ref)).toBe(expected);
});
