# Go tools for running and linting the workflows: nektos/act (runs workflows locally, on the host,
# no runner images) and actionlint. Built with `go install` from the Go module proxy into .tmp/bin
# when absent or at another version; nothing else is downloaded.
# shellcheck shell=bash

GO_BIN_DIR="$TMP_DIR/bin"
ACT_MODULE="github.com/nektos/act"
ACT_VERSION="v0.2.89"
ACTIONLINT_MODULE="github.com/rhysd/actionlint/cmd/actionlint"
ACTIONLINT_VERSION="v1.7.12"
ACT_BIN="$GO_BIN_DIR/act"
ACTIONLINT_BIN="$GO_BIN_DIR/actionlint"

# The module version a Go binary was built from ("" when it is missing or not a Go binary).
go_binary_version() {
  [[ -x "$1" ]] || return 0
  go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }'
}

# go_tool BIN MODULE VERSION — installs MODULE@VERSION as BIN unless it is already that version.
go_tool() {
  local bin="$1" module="$2" version="$3" log
  [[ "$(go_binary_version "$bin")" == "$version" ]] && return 0
  command -v go >/dev/null || die "go is needed to build $(basename "$bin") (install golang-go)"
  progress "building $(basename "$bin") $version with go install"
  mkdir -p "$GO_BIN_DIR"
  log="$GO_BIN_DIR/$(basename "$bin").install.log"
  GOBIN="$GO_BIN_DIR" go install "$module@$version" >"$log" 2>&1 ||
    die "go install $module@$version failed:
$(log_tail "$log")"
  rm -f "$log"
}

ensure_act() { go_tool "$ACT_BIN" "$ACT_MODULE" "$ACT_VERSION"; }
ensure_actionlint() { go_tool "$ACTIONLINT_BIN" "$ACTIONLINT_MODULE" "$ACTIONLINT_VERSION"; }

status_act() {
  local bin version
  for bin in "$ACT_BIN" "$ACTIONLINT_BIN"; do
    version="$(go_binary_version "$bin")"
    printf '%-10s %s\n' "$(basename "$bin")" "${version:-missing}"
  done
}
