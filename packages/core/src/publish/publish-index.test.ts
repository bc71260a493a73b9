import { UsageError } from "../errors";
import { planPublish } from "./publish";
import { parseIndexReference } from "./publish-index";

const digest = `sha256:${"a".repeat(64)}`;

test.each([
  [`127.0.0.1:5000/team/app:local@${digest}`, { repository: "team/app", tag: "local", digest }],
  [`127.0.0.1:5000/team/app@${digest}`, { repository: "team/app", digest }],
])("parseIndexReference(%s)", (text, expected) => {
  expect(parseIndexReference(text, "127.0.0.1:5000")).toEqual({ registry: "127.0.0.1:5000", ...expected });
});

test.each([
  ["127.0.0.1:5000/team/app:local", /pin it by digest/],
  [`ghcr.io/team/app@${digest}`, /is in ghcr.io, but publish goes to 127.0.0.1:5000/],
  [`127.0.0.1:5000/Team/app@${digest}`, /invalid image reference/],
])("parseIndexReference(%s) is a usage error", (text, message) => {
  expect(() => parseIndexReference(text, "127.0.0.1:5000")).toThrow(UsageError);
  expect(() => parseIndexReference(text, "127.0.0.1:5000")).toThrow(message);
});

test("a plan with an index runs no docker command and names the index for every tag", () => {
  const plan = planPublish({
    localImage: "app:local",
    registry: "127.0.0.1:5000",
    repository: "team/app",
    version: "7-abc1234",
    extraTags: ["latest"],
    index: `127.0.0.1:5000/team/app:local@${digest}`,
  });
  expect(plan).toEqual({
    version: "7-abc1234",
    tags: ["7-abc1234", "latest"],
    references: ["127.0.0.1:5000/team/app:7-abc1234", "127.0.0.1:5000/team/app:latest"],
    commands: [],
    index: `127.0.0.1:5000/team/app:local@${digest}`,
  });
});

test("a plan without an index tags and pushes with docker", () => {
  const plan = planPublish({ localImage: "app:local", registry: "r:5000", repository: "app", version: "1" });
  expect(plan.commands).toEqual([
    ["docker", "tag", "app:local", "r:5000/app:1"],
    ["docker", "push", "r:5000/app:1"],
  ]);
  expect(plan.index).toBeUndefined();
});
