# Shared by scripts/setup and scripts/test: paths, messages, small process helpers.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Resolved, so that a checkout whose .tmp links to another's (a git worktree) writes the same paths
# into service configurations and finds the services that checkout started.
TMP_DIR="$(realpath -m "$ROOT/.tmp")"
SERVICES_DIR="$TMP_DIR/services"
# POWERTRAIN_TEST_ENV moves it (test/support/env.ts reads the same variable).
TEST_ENV_FILE="${POWERTRAIN_TEST_ENV:-$TMP_DIR/test-env}"

# One line per action taken; setup stays silent when there is nothing to do.
progress() { printf 'setup: %s\n' "$*"; }
warn() { printf 'setup: warning: %s\n' "$*" >&2; }
die() {
  printf 'setup: error: %s\n' "$*" >&2
  exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# Stop with a clear message when a step needs root and we are not root.
need_root() {
  is_root || die "$1 needs root; run: sudo ./scripts/setup"
}

# Writes $2 into $1 only when it differs; returns 0 when the file changed.
write_if_changed() {
  local file="$1" content="$2"
  if [[ -f "$file" ]] && [[ "$(cat "$file")" == "$content" ]]; then return 1; fi
  mkdir -p "$(dirname "$file")"
  printf '%s\n' "$content" >"$file"
  return 0
}

# True when the pid in pidfile $1 runs a program whose command line contains $2
# (guards against a stale pidfile whose pid was reused).
pid_alive() {
  local pidfile="$1" expect="$2" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # /proc rather than kill -0, which fails for another user's process when not run as root.
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$expect"
}

# Stops the process in pidfile $1 (if it is $2) and waits up to 10 s for it to go.
stop_pidfile() {
  local pidfile="$1" expect="$2" pid i
  if pid_alive "$pidfile" "$expect"; then
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
}

# Last lines of a log, indented, for error messages.
log_tail() { tail -n "${2:-15}" "$1" 2>/dev/null | sed 's/^/    /'; }

# Status code of an HTTP GET, "000" when nothing answers. Uses node (always present: the project needs it).
http_status() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
      .then((r) => console.log(r.status), () => console.log("000"));
  ' "$1"
}

# Quote a value for a POSIX shell (single quotes), for the shell-sourceable env file.
sh_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
