import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, resolveEnvironment, toResolvedDocument } from "@powertrain/core";
import { runCli as run } from "./run-in-process";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pt-cli-target-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const resolved = (patch: (d: { hosts: { host: string }[] }) => void) => {
  const env = resolveEnvironment(
    parseConfig("name: shop\nenvironments: { prod: { hosts: [h1] } }\n", "p.yml"),
    "prod",
  );
  const doc = JSON.parse(JSON.stringify(toResolvedDocument(env)));
  patch(doc);
  const file = join(dir, "r.json");
  writeFileSync(file, JSON.stringify(doc));
  return file;
};

test.each(["ps", "logs", "stop", "rollback", "abort-canary"])(
  "%s --resolved with a host that is an ssh option: exit 2, nothing runs",
  async (command) => {
    const pwned = join(dir, "pwned");
    const file = resolved((d) => {
      d.hosts[0]!.host = `-oProxyCommand=touch ${pwned}`;
    });
    const { code, stderr: err } = await run(command, "-e", "prod", "--resolved", file);
    expect(code).toBe(2);
    expect(err).toMatch(/hosts\.0\.host: expected a host name or address/);
    expect(existsSync(pwned)).toBe(false);
  },
);

test("deploy --resolved of another environment: exit 2, naming both", async () => {
  const file = resolved(() => {});
  const image = `127.0.0.1:5000/shop:1@sha256:${"a".repeat(64)}`;
  const { code, stderr: err } = await run("deploy", image, "-e", "dev", "--resolved", file);
  expect(code).toBe(2);
  expect(err).toMatch(/is the resolved environment "prod", not "dev"/);
});

test("deploy of an image reference that is an option: exit 2 before any host", async () => {
  const file = resolved(() => {});
  const hostile = `-oProxyCommand=x@sha256:${"a".repeat(64)}`;
  const { code, stderr: err } = await run("deploy", "-e", "prod", "--resolved", file, "--", hostile);
  expect(code).toBe(2);
  expect(err).toMatch(/invalid image reference "-oProxyCommand=x@sha256:a+"/);
});

test("--resolved with a --config beside it: the image's run configuration on the deploy side's hosts", async () => {
  const file = resolved(() => {});
  const config = join(dir, "powertrain.yml");
  writeFileSync(config, 'name: shop\nenvironments: { prod: { hosts: ["deploy@127.0.0.1:1"] } }\n');
  const image = `127.0.0.1:5000/shop:1@sha256:${"a".repeat(64)}`;
  const { code, stderr: err } = await run(
    "deploy",
    image,
    "-e",
    "prod",
    "--resolved",
    file,
    "-c",
    config,
    "--dry-run",
  );
  // The image's document names h1; the deploy side's file decides: its host is the one tried.
  expect(code).not.toBe(0);
  expect(err).toMatch(/127\.0\.0\.1:1/);
  expect(err).not.toMatch(/\bh1\b/);
});
