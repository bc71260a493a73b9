/** scripts/release-notes.sh: a version's CHANGELOG.md section becomes the GitHub release's notes. */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../support/helpers";

const script = join(__dirname, "../../scripts/release-notes.sh");

const changelog = `# Changelog

## [Unreleased]

### Added

- something not released

## [1.1.0] - 2026-12-01

### Added

- the release tarball

### Fixed

- a thing

## [1.0.0] - 2026-11-01

### Added

- everything else

[Unreleased]: https://github.com/powertrain/powertrain/compare/v1.1.0...HEAD
[1.1.0]: https://github.com/powertrain/powertrain/compare/v1.0.0...v1.1.0
[1.0.0]: https://github.com/powertrain/powertrain/releases/tag/v1.0.0
`;

function notes(version: string, text = changelog) {
  const file = join(tempDir("powertrain-notes-"), "CHANGELOG.md");
  writeFileSync(file, text);
  return spawnSync(script, [version, file], { encoding: "utf8" });
}

test("a version's section, without its heading, the next section or the link definitions", () => {
  const r = notes("1.1.0");
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe("### Added\n\n- the release tarball\n\n### Fixed\n\n- a thing");
});

test("the last section stops before the link definitions", () => {
  const r = notes("1.0.0");
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe("### Added\n\n- everything else");
});

test("a version without a section, or with an empty one, has no notes and no release", () => {
  const missing = notes("1.2.0");
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain("no '## [1.2.0]' section");
  const empty = notes("2.0.0", "# Changelog\n\n## [2.0.0] - 2027-01-01\n\n## [1.0.0]\n\n- x\n");
  expect(empty.status).toBe(1);
});

test("1.1.0 does not match the section of 1.1.00 or 11.1.0, and a malformed version is refused", () => {
  expect(notes("1.1.0", "## [11.1.0]\n\n- no\n").status).toBe(1);
  expect(notes("1.1.0", "## [1.1.00]\n\n- no\n").status).toBe(1);
  expect(notes("v1.1.0").status).toBe(2);
});
