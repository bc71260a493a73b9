// testEnv() reads what ./scripts/setup writes, and fails loudly (never skips) when it is missing.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnvFile, testEnv } from "../support/env";
import { tempDir } from "../support/helpers";

const saved = process.env.POWERTRAIN_TEST_ENV;
afterEach(() => {
  if (saved === undefined) delete process.env.POWERTRAIN_TEST_ENV;
  else process.env.POWERTRAIN_TEST_ENV = saved;
});

test.each([
  ["bare", "A=b", "b"],
  ["single-quoted", "A='b c'", "b c"],
  ["single quote inside", "A='it'\\''s'", "it's"],
  ["double-quoted", 'A="x \\"y\\""', 'x "y"'],
  ["export prefix", "export A=1", "1"],
  ["empty", "A=", ""],
])("parseEnvFile reads a %s value", (_name, line, expected) => {
  expect(parseEnvFile(`# comment\n\n${line}\n`)).toEqual({ A: expected });
});

test("a missing env file throws, telling to run setup", () => {
  process.env.POWERTRAIN_TEST_ENV = join(tempDir(), "nope");
  expect(() => testEnv()).toThrow(/does not exist — run \.\/scripts\/setup/);
});

test("an env file without a key throws naming the key", () => {
  const file = join(tempDir(), "test-env");
  writeFileSync(file, "PT_REGISTRY='127.0.0.1:5000'\n");
  process.env.POWERTRAIN_TEST_ENV = file;
  expect(() => testEnv()).toThrow(/PT_REGISTRY_USER is missing in .* — run \.\/scripts\/setup/);
});

test("the env file written by setup is complete", () => {
  const env = testEnv();
  expect(env.registry.host).toMatch(/^127\.\d+\.\d+\.\d+:\d+$/);
  expect(env.ssh.hosts.every((h) => h.startsWith("127."))).toBe(true);
  expect(env.ssh.port).toBeGreaterThan(0);
  expect(env.images).toEqual({ busybox: expect.any(String), node: expect.any(String) });
});
