import { isUserError } from "../errors";
import { checkVersion, defaultVersion, digestOf, registryOf, requirePinned, shortDigest } from "./reference";

const digest = `sha256:${"ab12".repeat(16)}`;

test.each([
  [
    `127.0.0.1:5000/team/app:12-3f2a9c1@${digest}`,
    { registry: "127.0.0.1:5000", repository: "team/app", tag: "12-3f2a9c1", digest },
  ],
  [`127.0.0.1:5000/team/app@${digest}`, { registry: "127.0.0.1:5000", repository: "team/app", digest }],
  [`app@${digest}`, { registry: "docker.io", repository: "library/app", digest }],
])("requirePinned(%j)", (ref, expected) => {
  expect(requirePinned(ref)).toEqual(expected);
});

test.each([["app:latest"], ["-oProxyCommand=touch/x"], [`-x@${digest}`], [""]])(
  "requirePinned(%j) is a usage error",
  (ref) => {
    let error: unknown;
    try {
      requirePinned(ref);
    } catch (err) {
      error = err;
    }
    expect(isUserError(error)).toBe(true);
  },
);

test.each([
  [`reg.example.com/app:7-abc@${digest}`, undefined, "7-abc"],
  [`reg.example.com/app@${digest}`, undefined, "ab12ab12ab12"],
  [`reg.example.com/app:7-abc@${digest}`, "42-97f7595", "42-97f7595"],
  ["not pinned!", undefined, undefined],
])("defaultVersion(%j, %j) = %j", (ref, label, expected) => {
  expect(defaultVersion(ref, label)).toBe(expected);
});

test.each([
  [`127.0.0.1:5000/team/app@${digest}`, "127.0.0.1:5000"],
  [`localhost/app@${digest}`, "localhost"],
  [`team/app@${digest}`, "docker.io"],
  [`app@${digest}`, "docker.io"],
])("registryOf(%j) = %s", (ref, expected) => {
  expect(registryOf(ref)).toBe(expected);
});

test("digestOf and shortDigest", () => {
  expect(digestOf(`r/app:1@${digest}`)).toBe(digest);
  expect(digestOf("r/app:1")).toBe("");
  expect(shortDigest(digest)).toBe("ab12ab12ab12");
});

test.each([["1-abc"], ["42-97f7595"], ["v1.2.3+build"], ["ab12ab12ab12"]])("version %j is accepted", (v) => {
  expect(checkVersion(v)).toBe(v);
});

test.each([["-rf"], ["1\nserver evil;"], ["a b"], [""], [".hidden"]])("version %j is refused", (v) => {
  expect(() => checkVersion(v)).toThrow(/version/);
});
