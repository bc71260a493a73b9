#!/usr/bin/env node
// Bundle every action (committed dist/) and the CLI (not committed) with ncc.
// `--check` bundles the actions into a temporary directory and fails when the
// committed dist/ differs from a fresh build — what CI runs. `--cli` bundles the CLI alone.
// `--pack [--out DIR]` bundles the CLI and packs packages/cli with `npm pack` into a
// self-contained tarball (the bundle and its licenses, no runtime dependencies) and
// prints the tarball's path on stdout — what the release workflow attaches.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const check = process.argv.includes("--check");
const ncc = join(root, "node_modules/.bin/ncc");
const actions = readdirSync(join(root, "actions")).filter((a) =>
  existsSync(join(root, "actions", a, "action.yml")),
);

function bundle(entry, outDir) {
  execFileSync(
    ncc,
    [
      "build",
      entry,
      "-o",
      outDir,
      "--license",
      "licenses.txt",
      "--quiet",
      "--transpile-only",
      "--target",
      "es2022",
    ],
    {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
}

/** The value after `name` on the command line, if any. */
function option(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Bundle the CLI and `npm pack` it into outDir; returns the tarball's absolute path. */
function packCli(outDir) {
  const cli = join(root, "packages/cli");
  const manifest = JSON.parse(readFileSync(join(cli, "package.json"), "utf8"));
  // Everything is in the bundle: a runtime dependency would be fetched from a registry at
  // install time (and a workspace: one cannot be fetched at all).
  const deps = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
  if (deps.length) {
    console.error(
      `packages/cli/package.json: the CLI is bundled; move ${deps.join(", ")} to devDependencies`,
    );
    process.exit(1);
  }
  rmSync(join(cli, "dist"), { recursive: true, force: true });
  bundle("packages/cli/src/index.ts", join(cli, "dist"));
  mkdirSync(outDir, { recursive: true });
  const out = execFileSync(
    "npm",
    ["pack", "--json", "--offline", "--ignore-scripts", "--pack-destination", resolve(outDir)],
    { cwd: cli, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  const [packed] = JSON.parse(out);
  console.error(
    `packed ${packed.name}@${packed.version}: ${packed.files.map((f) => f.path).join(", ")} (${packed.size} bytes)`,
  );
  return join(resolve(outDir), packed.filename);
}

function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

if (check) {
  const scratch = mkdtempSync(join(tmpdir(), "powertrain-dist-"));
  const stale = [];
  try {
    for (const a of actions) {
      const fresh = join(scratch, a);
      const committed = join(root, "actions", a, "dist");
      bundle(join("actions", a, "src/index.ts"), fresh);
      const want = files(fresh);
      const have = existsSync(committed) ? files(committed) : [];
      for (const f of new Set([...want, ...have])) {
        const w = want.includes(f) ? readFileSync(join(fresh, f)) : null;
        const h = have.includes(f) ? readFileSync(join(committed, f)) : null;
        if (!w || !h || !w.equals(h)) stale.push(relative(root, join(committed, f)));
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (stale.length) {
    console.error(`dist/ is not a fresh build; run \`pnpm build\` and commit:\n  ${stale.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`dist/ of ${actions.length} actions matches a fresh build`);
} else if (process.argv.includes("--cli")) {
  bundle("packages/cli/src/index.ts", join(root, "packages/cli/dist"));
} else if (process.argv.includes("--pack")) {
  console.log(packCli(option("--out") ?? join(root, "packages/cli")));
} else {
  for (const a of actions) {
    const out = join(root, "actions", a, "dist");
    rmSync(out, { recursive: true, force: true });
    bundle(join("actions", a, "src/index.ts"), out);
    console.log(`bundled actions/${a}/dist`);
  }
  bundle("packages/cli/src/index.ts", join(root, "packages/cli/dist"));
  console.log("bundled packages/cli/dist");
}
