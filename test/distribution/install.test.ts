/**
 * The packed CLI as a user gets it: `node scripts/build.mjs --pack` makes the release tarball,
 * `npm install -g --prefix <temp>` installs it without a registry (--offline: everything is in the
 * bundle), and the installed `powertrain` runs in an empty directory outside the repository with an
 * environment that holds nothing of it (no node_modules, no NODE_PATH, only node on PATH).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { POWERTRAIN_VERSION } from "../../packages/core/src/version/powertrain";
import { tempDir } from "../support/helpers";

const root = join(__dirname, "../..");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

let tarball: string;
let prefix: string;
let powertrain: string;
/** What a laptop has: node on PATH, a HOME, nothing of this repository. */
let userEnv: NodeJS.ProcessEnv;

beforeAll(() => {
  const work = tempDir("powertrain-dist-");
  const packed = ok(
    run(process.execPath, ["scripts/build.mjs", "--pack", "--out", join(work, "out")], root, process.env),
    "build.mjs --pack",
  );
  tarball = packed.stdout.trim();
  prefix = join(work, "prefix");
  const home = join(work, "home");
  userEnv = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, LANG: "C.UTF-8" };
  ok(
    run(
      "npm",
      [
        "install",
        "-g",
        "--prefix",
        prefix,
        "--offline",
        "--no-audit",
        "--no-fund",
        "--cache",
        join(work, "npm-cache"),
        tarball,
      ],
      work,
      userEnv,
    ),
    "npm install -g",
  );
  powertrain = join(prefix, "bin/powertrain");
}, 180_000);

test("the tarball holds the bundle, its licenses and a manifest without runtime dependencies", () => {
  const list = ok(run("tar", ["tzf", tarball], root, process.env), "tar")
    .stdout.trim()
    .split("\n")
    .sort();
  expect(list).toEqual(["package/dist/index.js", "package/dist/licenses.txt", "package/package.json"]);
  const manifest = JSON.parse(
    ok(run("tar", ["xzf", tarball, "-O", "package/package.json"], root, process.env), "tar").stdout,
  );
  expect(manifest.bin).toEqual({ powertrain: "dist/index.js" });
  expect(manifest.dependencies).toBeUndefined();
  expect(manifest.version).toBe(POWERTRAIN_VERSION);
  expect(tarball.endsWith(`powertrain-cli-${POWERTRAIN_VERSION}.tgz`)).toBe(true);
});

test("npm installs it as one package with a powertrain bin and nothing beside it", () => {
  expect(existsSync(powertrain)).toBe(true);
  const installed = join(prefix, "lib/node_modules/@powertrain/cli");
  expect(readdirSync(installed).sort()).toEqual(["dist", "package.json"]);
});

test("powertrain --version prints the release version", () => {
  const r = ok(run(powertrain, ["--version"], tempDir(), userEnv), "--version");
  expect(r.stdout.trim()).toBe(POWERTRAIN_VERSION);
  const manifest = JSON.parse(readFileSync(join(root, "packages/cli/package.json"), "utf8"));
  expect(r.stdout.trim()).toBe(manifest.version);
});

test("powertrain --help lists the commands", () => {
  const r = ok(run(powertrain, ["--help"], tempDir(), userEnv), "--help");
  expect(r.stdout).toMatch(/^Usage: powertrain \[options\] \[command\]/);
  for (const command of ["init", "validate", "build", "publish", "deploy", "rollback", "verify"]) {
    expect(r.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
  }
});

test("powertrain init then validate work in an empty directory outside the repository", () => {
  const dir = join(tempDir("powertrain-laptop-"), "shop-api");
  ok(run("mkdir", [dir], root, userEnv), "mkdir");
  const init = ok(run(powertrain, ["init"], dir, userEnv), "init");
  expect(init.stderr).toContain('wrote powertrain.yml for "shop-api"');
  expect(readFileSync(join(dir, "powertrain.yml"), "utf8")).toMatch(/^name: shop-api$/m);
  const validate = ok(run(powertrain, ["validate"], dir, userEnv), "validate");
  expect(validate.stderr + validate.stdout).toContain("powertrain.yml is valid");
  expect(validate.stderr + validate.stdout).toMatch(/app\s+shop-api/);
});

test("the installed validate points at a mistake with file:line:col and exit code 2", () => {
  const dir = tempDir("powertrain-laptop-");
  writeFileSync(join(dir, "powertrain.yml"), "schema: 1\nname: shop-api\nrun:\n  instances: many\n");
  const r = run(powertrain, ["validate"], dir, userEnv);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/powertrain\.yml:4:\d+: run\.instances: /);
  expect(r.stderr).not.toMatch(/\n\s+at /); // a user mistake, no stack trace
});
