#!/usr/bin/env bash
# The release notes of X.Y.Z: its `## [X.Y.Z]` section of CHANGELOG.md (Keep a Changelog), without
# the heading and the link definitions. Exits 1 when there is no such section or it is empty —
# a release is not cut without notes.
#
#   scripts/release-notes.sh X.Y.Z [CHANGELOG.md]
set -euo pipefail

version=${1:-}
changelog=${2:-CHANGELOG.md}
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "usage: $0 X.Y.Z [CHANGELOG.md]" >&2
  exit 2
fi
notes=$(awk -v v="$version" '
  index($0, "## [" v "]") == 1 { on = 1; next }
  on && /^## \[/ { exit }
  on && /^\[[^]]+\]: / { next }
  on { print }
' "$changelog")
if ! grep -q '[^[:space:]]' <<<"$notes"; then
  echo "$changelog: no '## [$version]' section with entries: move the Unreleased entries under it" >&2
  exit 1
fi
printf '%s\n' "$notes"
