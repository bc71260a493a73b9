import { authForImage } from "./registry-auth";

const creds = { username: "u", password: "p" };
const digest = `sha256:${"a".repeat(64)}`;
const at = (registry: string) => `${registry}/team/app:1@${digest}`;

test("authForImage keeps a credential to its registry", () => {
  const auth = { registry: "reg.example.com", ...creds };
  expect(authForImage(auth, at("reg.example.com"))).toBe(auth);
  expect(authForImage(auth, at("other.example"))).toBeUndefined();
  expect(authForImage(undefined, at("reg.example.com"))).toBeUndefined();
});
