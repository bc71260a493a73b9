import { parsePromoteTarget } from "./promote";

const R = "127.0.0.1:5000";
const D = `sha256:${"a".repeat(64)}`;

test.each([
  ["release", "team/app", "412-abc", { repository: "team/app", tag: "release" }],
  ["team/app-release", "team/app", "412-abc", { repository: "team/app-release", tag: "412-abc" }],
  ["team/app-release:1.0", "team/app", "412-abc", { repository: "team/app-release", tag: "1.0" }],
  [`${R}/release/app:prod`, "team/app", "412-abc", { repository: "release/app", tag: "prod" }],
  ["release/app:prod", "team/app", D, { repository: "release/app", tag: "prod" }],
])("--to %s", (to, repository, version, expected) => {
  expect(parsePromoteTarget(to, R, repository, version)).toEqual(expected);
});

test.each([
  ["bad tag!", /not a valid tag/],
  ["other.example.com/app:1", /stays within 127.0.0.1:5000/],
  ["release/app", /name the tag/],
  [`release/app@${D}`, /not a digest/],
])("--to %s is rejected", (to, message) => {
  expect(() => parsePromoteTarget(to, R, "team/app", D)).toThrow(message);
});
