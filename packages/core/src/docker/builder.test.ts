import { chooseBuilder, isBuildKit } from "./builder";

test.each([
  [undefined, false, "classic"],
  [undefined, true, "buildx"],
  ["1", false, "buildkit"],
  ["true", false, "buildkit"],
  ["1", true, "buildx"],
  ["0", true, "classic"],
  ["false", true, "classic"],
  ["0", false, "classic"],
  ["", true, "buildx"],
] as const)("DOCKER_BUILDKIT=%j, buildx=%j → %s", (flag, buildx, expected) => {
  expect(chooseBuilder(flag, buildx)).toBe(expected);
});

test.each([
  ["classic", false],
  ["buildkit", true],
  ["buildx", true],
] as const)("isBuildKit(%s) = %j", (builder, expected) => {
  expect(isBuildKit(builder)).toBe(expected);
});
