#!/usr/bin/env node
// Writes docs/actions.md — the inputs/outputs tables of every action — from the
// action.yml files, so the reference cannot drift from them. `--check` fails
// when the committed file differs from a fresh rendering (what CI runs).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const { parse } = createRequire(join(root, "packages/core/package.json"))("yaml");
const target = join(root, "docs/actions.md");
const cell = (text) =>
  String(text ?? "")
    .trim()
    .replace(/\s*\n\s*/g, " ")
    .replace(/\|/g, "\\|");

function render() {
  const out = [
    "# Action reference",
    "",
    "Generated from each `actions/*/action.yml` by `node scripts/action-docs.mjs`; CI checks it is current.",
    "Use them as `uses: <owner>/powertrain/actions/<name>@<ref>`.",
    "",
  ];
  const names = readdirSync(join(root, "actions"))
    .filter((a) => existsSync(join(root, "actions", a, "action.yml")))
    .sort();
  for (const name of names) {
    const action = parse(readFileSync(join(root, "actions", name, "action.yml"), "utf8"));
    out.push(`## ${name}`, "", cell(action.description), "");
    out.push("| input | required | default | description |", "| --- | --- | --- | --- |");
    for (const [input, spec] of Object.entries(action.inputs ?? {})) {
      const def = spec.default === undefined ? "" : `\`${cell(spec.default)}\``;
      out.push(`| \`${input}\` | ${spec.required ? "yes" : "no"} | ${def} | ${cell(spec.description)} |`);
    }
    out.push("", "| output | description |", "| --- | --- |");
    for (const [output, spec] of Object.entries(action.outputs ?? {})) {
      out.push(`| \`${output}\` | ${cell(spec.description)} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

const fresh = render();
if (process.argv.includes("--check")) {
  const committed = existsSync(target) ? readFileSync(target, "utf8") : "";
  if (committed !== fresh) {
    console.error(
      "docs/actions.md is out of date with the action.yml files; run: node scripts/action-docs.mjs",
    );
    process.exit(1);
  }
  console.log("docs/actions.md is current");
} else {
  writeFileSync(target, fresh);
  console.log("wrote docs/actions.md");
}
