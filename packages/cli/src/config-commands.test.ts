import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "@powertrain/core";
import { runCli as run } from "./run-in-process";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pt-cli-config-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const VALID = `name: renderer
run:
  instances: 2
  ports: ["8000-8099:8080"]
  env: { LOG_LEVEL: info }
environments:
  prod: { hosts: [deploy@prod1], run: { instances: 4, env: { LOG_LEVEL: warn } } }
`;

describe("powertrain validate", () => {
  test("prints the resolved default configuration for people on stderr", async () => {
    const file = join(dir, "powertrain.yml");
    writeFileSync(file, VALID);
    const { code, stdout: out, stderr: err } = await run("validate", file);
    expect(code).toBe(0);
    expect(out).toBe("");
    expect(err).toContain(`${file} is valid`);
    expect(err).toMatch(/instances +2/);
    expect(err).toMatch(/ports +8000-8099→8080\/tcp/);
  });

  test("--env --json prints the resolved environment as JSON on stdout", async () => {
    const file = join(dir, "powertrain.yml");
    writeFileSync(file, VALID);
    const { code, stdout: out } = await run("validate", file, "--env", "prod", "--json");
    expect(code).toBe(0);
    const resolved = JSON.parse(out);
    expect(resolved).toMatchObject({
      name: "prod",
      app: "renderer",
      hosts: [{ host: "prod1", user: "deploy" }],
    });
    expect(resolved.run).toMatchObject({ instances: 4, env: { LOG_LEVEL: "warn" }, init: true });
  });

  test("config problems exit 2, one file:line:col: path: message line each", async () => {
    const file = join(dir, "bad.yml");
    writeFileSync(file, "name: renderer\nrun:\n  instances: four\n  instanses: 2\n");
    const { code, stdout: out, stderr: err } = await run("validate", file);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(`${file}:3:14: run.instances: expected a positive integer, got "four"\n`);
    expect(err).toContain(`${file}:4:3: run.instanses: unknown key "instanses"; did you mean "instances"?\n`);
    expect(err).toContain(`error: ${file}: 2 problems`);
  });

  test("an unknown environment exits 2 and names the known ones", async () => {
    const file = join(dir, "powertrain.yml");
    writeFileSync(file, VALID);
    const { code, stderr: err } = await run("validate", file, "--env", "prdo");
    expect(code).toBe(2);
    expect(err).toMatch(/environments: unknown environment "prdo"; did you mean "prod"\? \(known: prod\)/);
  });

  test("environments.<name>.url is shown rendered; a bad one is a config error at its line", async () => {
    const file = join(dir, "powertrain.yml");
    writeFileSync(file, `${VALID}  web: { hosts: [deploy@web1], url: "https://{host}:{port}/" }\n`);
    const ok = await run("validate", file, "--env", "web");
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/^ {2}url +https:\/\/web1:8000\/$/m);
    writeFileSync(file, `${VALID}  web:\n    hosts: [deploy@web1]\n    url: "ftp://{host}/"\n`);
    const bad = await run("validate", file, "--env", "web");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}:10:10: environments.web.url: expected an http:// or https:// URL`);
  });

  test("a missing file exits 2", async () => {
    const { code, stderr: err } = await run("validate", join(dir, "none.yml"));
    expect(code).toBe(2);
    expect(err).toMatch(/none\.yml: file not found/);
  });
});

describe("powertrain status (the fleet view)", () => {
  test("a file without environments exits 2 and says so", async () => {
    const file = join(dir, "powertrain.yml");
    writeFileSync(file, "name: shop\n");
    const { code, stderr: err } = await run("status", "-c", file);
    expect(code).toBe(2);
    expect(err).toContain(`error: ${file} defines no environments`);
  });

  test("--hosts without --env names one environment's hosts: a usage error", async () => {
    const file = join(dir, "powertrain.yml");
    writeFileSync(file, VALID);
    const { code, stderr: err } = await run("status", "-c", file, "--hosts", "h1");
    expect(code).toBe(2);
    expect(err).toMatch(/--resolved and --hosts name one environment's hosts: use them with --env/);
  });
});

describe("powertrain init", () => {
  test("writes a starter that validates, named after the directory", async () => {
    const target = join(dir, "My Service", "powertrain.yml");
    mkdirSync(join(dir, "My Service"));
    const { code } = await run("init", "-o", target);
    expect(code).toBe(0);
    const text = readFileSync(target, "utf8");
    expect(parseConfig(text, target).name).toBe("my-service");
    expect(text).toMatch(/^# powertrain\.yml/);
    expect((await run("validate", target, "--env", "prod")).code).toBe(0);
    expect((await run("validate", target, "--env", "dev")).code).toBe(0);
  });

  test("--name sets the name; an existing file is kept unless --force", async () => {
    const target = join(dir, "powertrain.yml");
    writeFileSync(target, "mine\n");
    const refused = await run("init", "-o", target, "--name", "api");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists/);
    expect(refused.stderr).toMatch(/--force/);
    expect(readFileSync(target, "utf8")).toBe("mine\n");
    expect((await run("init", "-o", target, "--name", "api", "--force")).code).toBe(0);
    expect(parseConfig(readFileSync(target, "utf8"), target).name).toBe("api");
  });
});

describe("powertrain import", () => {
  const MK = `NAME := renderer
REGISTRY = 127.0.0.1:5000/team
INSTANCES ?= 4
PORTS = 8000-8099:8080
VOLUMES = /a:/b /c:/d:ro
ENVS = -e NODE_ENV=production \\
       -e API_TOKEN=$(API_TOKEN)
VERSION = 1.0.0
`;

  test("converts, writes a valid powertrain.yml, and reports what it could not map with its line", async () => {
    const mk = join(dir, "powertrain.mk");
    const output = join(dir, "powertrain.yml");
    writeFileSync(mk, MK);
    const { code, stderr: err } = await run("import", mk, "-o", output);
    expect(code).toBe(0);
    const config = parseConfig(readFileSync(output, "utf8"), output);
    expect(config).toMatchObject({
      name: "renderer",
      image: { registry: "127.0.0.1:5000", repository: "team/renderer" },
    });
    expect(config.run).toMatchObject({
      instances: 4,
      env: { NODE_ENV: "production", API_TOKEN: "${API_TOKEN}" },
    });
    expect(err).toContain(`warning: VERSION: not needed`);
    expect(err).toContain(`(${mk}:8)`);
    expect(err).toMatch(/1 item not converted/);
  });

  test("refuses to overwrite without --force, and a missing input is a usage error", async () => {
    const mk = join(dir, "powertrain.mk");
    const output = join(dir, "powertrain.yml");
    writeFileSync(mk, MK);
    writeFileSync(output, "keep\n");
    expect((await run("import", mk, "-o", output)).code).toBe(2);
    expect(readFileSync(output, "utf8")).toBe("keep\n");
    expect((await run("import", mk, "-o", output, "--force")).code).toBe(0);
    const missing = await run("import", join(dir, "nope.mk"), "-o", join(dir, "x.yml"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.mk: ENOENT/);
    expect(existsSync(join(dir, "x.yml"))).toBe(false);
  });
});
