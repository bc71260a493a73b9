#!/bin/sh
# Hand a router hook the desired upstream set. Caller: router/command.ts CommandRouter.
# $1 state file (under the state dir's routes/), then the hook command. The desired upstream JSON
# arrives on stdin, is saved, fed to the hook, and becomes the recorded state only when the hook
# exits 0.
# shellcheck source=lib/state.sh
. ./lib/state.sh
state="$PT_STATE/routes/$1"
shift
mkdir -p "${state%/*}" || exit 1
tmp="$state.$$.tmp"
cat > "$tmp" || exit 1
if "$@" < "$tmp"; then mv -f "$tmp" "$state"; else rc=$?; rm -f "$tmp"; exit "$rc"; fi
