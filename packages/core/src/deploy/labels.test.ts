import { defaultVersion, parseImageRef, registryOf } from "./labels";

const digest = `sha256:${"ab12".repeat(16)}`;

test.each([
  [
    `127.0.0.1:5000/team/app:12-3f2a9c1@${digest}`,
    { repository: "127.0.0.1:5000/team/app", tag: "12-3f2a9c1", digest },
  ],
  [`127.0.0.1:5000/team/app@${digest}`, { repository: "127.0.0.1:5000/team/app", tag: undefined, digest }],
  ["app:latest", { repository: "app:latest", digest: "" }],
])("parseImageRef(%j)", (ref, expected) => {
  expect(parseImageRef(ref)).toEqual(expected);
});

test.each([
  [`reg.example.com/app:7-abc@${digest}`, "7-abc"],
  [`reg.example.com/app@${digest}`, "ab12ab12ab12"],
  ["not-pinned", undefined],
])("defaultVersion(%j) = %j", (ref, expected) => {
  expect(defaultVersion(ref)).toBe(expected);
});

test.each([
  [`127.0.0.1:5000/team/app@${digest}`, "127.0.0.1:5000"],
  [`localhost/app@${digest}`, "localhost"],
  [`team/app@${digest}`, "docker.io"],
  [`app@${digest}`, "docker.io"],
])("registryOf(%j) = %s", (ref, expected) => {
  expect(registryOf(ref)).toBe(expected);
});
