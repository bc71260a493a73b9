#!/usr/bin/env bash
# The release commit of vX.Y.Z, made on top of HEAD (the source commit the release is cut from):
#   1. every `uses: <repo>/actions/…@v1` in .github/workflows pinned to HEAD (whose actions/ and
#      dist/ the release carries unchanged) — commit A;
#   2. every `uses: <repo>/.github/workflows/…@v1` (rollback → promote) pinned to A, whose callee
#      has its actions pinned already — commit B, the release commit.
# A caller pinning a workflow at B (or at the tag vX.Y.Z on B) then runs exactly this code, however
# `v1` moves later. Only .github/workflows changes. Prints B's SHA on stdout; HEAD is left at B.
#
#   scripts/release-commit.sh vX.Y.Z [owner/name]
set -euo pipefail

version=${1:-}
repo=${2:-powertrain/powertrain}
if [[ ! $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "usage: $0 vX.Y.Z [owner/name]" >&2
  exit 2
fi
scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tsx=$scripts/../node_modules/.bin/tsx
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "release-commit: the work tree has uncommitted changes; release from a clean checkout" >&2
  exit 2
fi

pin() { "$tsx" "$scripts/pin-workflows.ts" --repo "$repo" --version "$version" "$@" .github/workflows >&2; }

source_sha=$(git rev-parse HEAD)
pin --kind actions --sha "$source_sha"
git commit --quiet -m "Release $version: the workflows' actions pinned to $source_sha" -- .github/workflows
actions_sha=$(git rev-parse HEAD)

pin --kind workflows --sha "$actions_sha" --allow-none
if [ -n "$(git status --porcelain --untracked-files=no -- .github/workflows)" ]; then
  git commit --quiet -m "Release $version: the workflows' reusable workflows pinned to $actions_sha" -- .github/workflows
fi
git rev-parse HEAD
