import { authForImage, pullAuth } from "./registry-auth";

const creds = { username: "u", password: "p" };
const digest = `sha256:${"a".repeat(64)}`;
const at = (registry: string) => `${registry}/team/app:1@${digest}`;

test.each([
  ["no credentials", undefined, { image: at("reg.example.com") }, undefined],
  ["the image's registry", creds, { image: at("reg.example.com") }, "reg.example.com"],
  [
    "the configured registry",
    creds,
    { image: at("reg.example.com"), configuredRegistry: "reg.example.com" },
    "reg.example.com",
  ],
  [
    "an image elsewhere than configured",
    creds,
    { image: at("evil.example"), configuredRegistry: "reg.example.com" },
    undefined,
  ],
  [
    "no image (rollback): the configured one",
    creds,
    { configuredRegistry: "reg.example.com" },
    "reg.example.com",
  ],
  ["no image, nothing configured", creds, {}, undefined],
] as const)("pullAuth: %s", (_, c, o, registry) => {
  expect(pullAuth(c, o)?.registry).toBe(registry);
});

test("authForImage keeps a credential to its registry", () => {
  const auth = { registry: "reg.example.com", ...creds };
  expect(authForImage(auth, at("reg.example.com"))).toBe(auth);
  expect(authForImage(auth, at("other.example"))).toBeUndefined();
  expect(authForImage(undefined, at("reg.example.com"))).toBeUndefined();
});
