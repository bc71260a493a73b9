# Debian packages, pnpm and node_modules.
# shellcheck shell=bash

DEBIAN_PACKAGES=(docker.io docker-registry openssh-server nginx busybox-static apache2-utils shellcheck chromium)
PNPM_VERSION="12.4.2"

deb_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

ensure_debian_packages() {
  local missing=() p
  for p in "${DEBIAN_PACKAGES[@]}"; do
    # An engine from other packages (moby, docker-ce on CI runners) conflicts with docker.io: keep it.
    [[ "$p" == docker.io ]] && command -v dockerd >/dev/null && continue
    deb_installed "$p" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  need_root "installing ${missing[*]}"
  progress "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_node_modules() {
  command -v node >/dev/null || die "node (>= 20.19) is not installed; install it first"
  if ! command -v pnpm >/dev/null; then
    progress "installing pnpm@$PNPM_VERSION"
    npm install -g --silent "pnpm@$PNPM_VERSION"
  fi
  # pnpm does not rewrite .modules.yaml when nothing changed, hence our own stamp next to it.
  local lock="$ROOT/pnpm-lock.yaml" state="$ROOT/node_modules/.modules.yaml"
  local stamp="$ROOT/node_modules/.powertrain-installed"
  if [[ -f "$state" ]] && { [[ ! "$lock" -nt "$state" ]] || [[ ! "$lock" -nt "$stamp" ]]; }; then
    return 0
  fi
  progress "installing node modules (pnpm install --frozen-lockfile)"
  mkdir -p "$TMP_DIR"
  # The same lock `pnpm add` is run under, so an install never races a dependency change.
  (cd "$ROOT" && flock "$TMP_DIR/pnpm.lock" pnpm install --frozen-lockfile --reporter=silent) 9>&-
  touch "$stamp"
}
