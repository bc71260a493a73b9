# cosign, for the signing interop tests (test/sign): built with `go install` into .tmp/bin when
# absent or at another version. It takes minutes, so setup starts it in the background early and
# waits for it at the end (ensure_cosign_wait); nothing else is downloaded.
# shellcheck shell=bash

COSIGN_MODULE="github.com/sigstore/cosign/v2/cmd/cosign"
COSIGN_VERSION="v2.6.5"
COSIGN_BIN="$TMP_DIR/bin/cosign"
COSIGN_PID=""

# Starts the build in a background subshell when the binary is missing or another version.
ensure_cosign_start() {
  [[ "$(go_binary_version "$COSIGN_BIN")" == "$COSIGN_VERSION" ]] && return 0
  # 9>&- : the build must not hold setup's lock after setup has finished waiting for it.
  (go_tool "$COSIGN_BIN" "$COSIGN_MODULE" "$COSIGN_VERSION") 9>&- &
  COSIGN_PID=$!
}

# Waits for a build ensure_cosign_start began; fails setup when it failed.
ensure_cosign_wait() {
  [[ -n "$COSIGN_PID" ]] || return 0
  wait "$COSIGN_PID" || die "building cosign $COSIGN_VERSION failed"
  COSIGN_PID=""
}

status_cosign() {
  local version
  version="$(go_binary_version "$COSIGN_BIN")"
  printf '%-10s %s\n' cosign "${version:-missing}"
}
