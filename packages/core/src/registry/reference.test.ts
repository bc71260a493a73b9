import { UsageError } from "../errors";
import { formatReference, parseReference } from "./reference";

const D = `sha256:${"a".repeat(64)}`;

describe("parseReference", () => {
  test.each([
    ["127.0.0.1:5000/app", { registry: "127.0.0.1:5000", repository: "app" }],
    [
      "127.0.0.1:5000/team/app:412-3f2a9c1",
      { registry: "127.0.0.1:5000", repository: "team/app", tag: "412-3f2a9c1" },
    ],
    [`registry.example.com/app@${D}`, { registry: "registry.example.com", repository: "app", digest: D }],
    [`host:443/a/b/c:v1@${D}`, { registry: "host:443", repository: "a/b/c", tag: "v1", digest: D }],
    ["localhost/app:1", { registry: "localhost", repository: "app", tag: "1" }],
    ["busybox", { registry: "docker.io", repository: "library/busybox" }],
    ["team/app:latest", { registry: "docker.io", repository: "team/app", tag: "latest" }],
    ["ghcr.io/acme/my_app.x-y", { registry: "ghcr.io", repository: "acme/my_app.x-y" }],
    ["[::1]:5000/app", { registry: "[::1]:5000", repository: "app" }],
  ])("%s", (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  test("a default registry applies when there is no host", () => {
    expect(parseReference("team/app:1", "127.0.0.1:5000")).toEqual({
      registry: "127.0.0.1:5000",
      repository: "team/app",
      tag: "1",
    });
  });

  test.each([
    ["", /is empty/],
    ["App", /lower-case/],
    ["host.com/", /lower-case/],
    ["host.com//app", /lower-case/],
    ["app:bad/tag", /not a valid registry host/],
    ["app:-x", /not a valid tag/],
    [`app:${"x".repeat(129)}`, /not a valid tag/],
    ["app@sha256:abc", /not a sha256/],
    ["app@md5:" + "a".repeat(32), /not a sha256/],
    ["bad_host.com:99999x/app", /not a valid registry host/],
  ])("%j is rejected", (input, message) => {
    expect(() => parseReference(input)).toThrow(UsageError);
    expect(() => parseReference(input)).toThrow(message);
  });

  test.each([["127.0.0.1:5000/team/app:1"], [`ghcr.io/acme/app@${D}`], [`h.io/a:1@${D}`]])(
    "%s round-trips",
    (s) => {
      expect(formatReference(parseReference(s))).toBe(s);
    },
  );
});
