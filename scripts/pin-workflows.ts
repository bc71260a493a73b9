/**
 * Pin the reusable workflows' own `uses:` — `powertrain/powertrain/actions/build@v1`,
 * `powertrain/powertrain/.github/workflows/promote.yml@v1` — to one commit, for the release
 * commit: a caller that pins `pipeline.yml@<release sha>` (or `@vX.Y.Z`) then runs exactly the
 * actions of that release, not whatever `v1` points at later. The release workflow pins them to
 * the tagged source commit (whose actions/ the release commit carries unchanged), commits, and
 * tags that commit. Only real `uses:` keys change; comments and other repositories' actions stay.
 *
 *   tsx scripts/pin-workflows.ts --sha <40 hex> [--version vX.Y.Z] [--repo owner/name]
 *                                [--kind actions|workflows] [--allow-none] [DIR]
 *
 * DIR defaults to .github/workflows. `--kind` pins only references to actions or only to
 * reusable workflows: a workflow calling another (rollback → promote) must name a commit whose
 * callee is already pinned, so scripts/release-commit.sh pins in two commits. Prints one
 * `file:line: from -> to` per reference on stderr and the count on stdout; exits 2 on bad
 * arguments, or when there is nothing to pin unless --allow-none.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface PinOptions {
  /** owner/name whose actions and workflows are pinned (matched case-insensitively, as GitHub does). */
  repo: string;
  /** The full commit SHA every reference is pinned to. */
  sha: string;
  /** Written as the trailing `# comment` (the convention dependabot reads), e.g. v1.2.0. */
  comment?: string;
  /** Only references to actions, or only to reusable workflows (`…/.github/workflows/x.yml`). */
  kind?: "actions" | "workflows";
}

export interface Pin {
  line: number;
  from: string;
  to: string;
}

const SHA = /^[0-9a-f]{40}$/;
const REPO = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;
const VERSION = /^v\d+\.\d+\.\d+$/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The text with every `uses: <repo>/<path>@<ref>` pinned to `sha`, and each reference found. */
export function pinUses(text: string, options: PinOptions): { text: string; pins: Pin[] } {
  if (!SHA.test(options.sha)) throw new Error(`not a full commit SHA: ${options.sha}`);
  if (!REPO.test(options.repo)) throw new Error(`not an owner/name repository: ${options.repo}`);
  // `uses:` as a key (optionally the first key of a list item), a quoted or plain value, an
  // optional trailing comment — the only shapes a workflow's `uses:` takes.
  const usesLine = new RegExp(
    `^(\\s*(?:-\\s+)?uses:\\s+)(["']?)(${escapeRegExp(options.repo)}/[^@\\s"']+)@([^\\s"'#]+)\\2(\\s+#.*)?$`,
    "i",
  );
  const pins: Pin[] = [];
  const comment = options.comment ? ` # ${options.comment}` : "";
  const lines = text.split("\n").map((line, i) => {
    const m = usesLine.exec(line);
    if (!m) return line;
    const [, key, quote, path] = m;
    const isWorkflow = /^[^/]+\/[^/]+\/\.github\/workflows\//.test(path as string);
    if (options.kind && (options.kind === "workflows") !== isWorkflow) return line;
    const pinned = `${key}${quote}${path}@${options.sha}${quote}${comment}`;
    pins.push({ line: i + 1, from: `${path}@${m[4]}`, to: `${path}@${options.sha}` });
    return pinned;
  });
  return { text: lines.join("\n"), pins };
}

/** Pin every workflow file (*.yml, *.yaml) directly in `dir`; returns the pins by file. */
export function pinWorkflowDir(dir: string, options: PinOptions): Map<string, Pin[]> {
  const changed = new Map<string, Pin[]>();
  for (const name of readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const file = join(dir, name);
    const before = readFileSync(file, "utf8");
    const { text, pins } = pinUses(before, options);
    if (text !== before) writeFileSync(file, text);
    if (pins.length) changed.set(file, pins);
  }
  return changed;
}

function main(argv: string[]): number {
  const args = [...argv];
  const options: Partial<PinOptions> & { repo: string } = { repo: "powertrain/powertrain" };
  let dir = ".github/workflows";
  let allowNone = false;
  while (args.length) {
    const arg = args.shift() as string;
    const value = () => {
      const v = args.shift();
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--sha") options.sha = value().toLowerCase();
    else if (arg === "--repo") options.repo = value();
    else if (arg === "--version") options.comment = value();
    else if (arg === "--allow-none") allowNone = true;
    else if (arg === "--kind") {
      const kind = value();
      if (kind !== "actions" && kind !== "workflows")
        throw new Error(`--kind is actions or workflows, got ${kind}`);
      options.kind = kind;
    } else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else dir = arg;
  }
  if (!options.sha) throw new Error("--sha <commit> is required");
  if (options.comment !== undefined && !VERSION.test(options.comment)) {
    throw new Error(`--version must look like v1.2.3, got ${options.comment}`);
  }
  const changed = pinWorkflowDir(dir, options as PinOptions);
  let count = 0;
  for (const [file, pins] of changed) {
    for (const pin of pins) process.stderr.write(`${file}:${pin.line}: ${pin.from} -> ${pin.to}\n`);
    count += pins.length;
  }
  if (count === 0 && !allowNone) throw new Error(`nothing to pin: no uses: of ${options.repo}/… in ${dir}`);
  process.stdout.write(`pinned ${count} uses: in ${changed.size} files to ${options.sha}\n`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`pin-workflows: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}
