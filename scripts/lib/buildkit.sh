# BuildKit as hosted runners have it: buildx (a docker CLI plugin) and a standalone buildkitd
# registered as a named buildx builder through the remote driver — like setup-buildx's
# docker-container builder it has its own cache, takes base images only from a registry and
# `--load`s its results. Both are built from the Go module proxy once and kept under .tmp/bin.
# The default builder of this machine's docker is not changed: tests pick ours by name.
# QEMU user emulation (binfmt_misc) lets the builder run arm64 RUN steps.
# shellcheck shell=bash

BUILDX_MODULE="github.com/docker/buildx/cmd/buildx"
BUILDX_VERSION="v0.38.2"
BUILDX_BIN="$GO_BIN_DIR/buildx"
BUILDKIT_MODULE="github.com/moby/buildkit"
BUILDKIT_VERSION="v0.34.2"
BUILDKITD_BIN="$GO_BIN_DIR/buildkitd"
BUILDCTL_BIN="$GO_BIN_DIR/buildctl"
BUILDKIT_DIR="$TMP_DIR/buildkit"
BUILDKIT_SOCK="$SERVICES_DIR/buildkitd.sock"
BUILDKIT_PID="$SERVICES_DIR/buildkitd.pid"
BUILDKIT_LOG="$SERVICES_DIR/buildkitd.log"
BUILDKIT_CONF="$SERVICES_DIR/buildkitd.toml"
BUILDX_BUILDER="powertrain-buildkit"
# Where the docker CLI finds plugins for every user (root's ~/.docker is not the tests' when they run as another user).
CLI_PLUGIN_DIR="/usr/local/lib/docker/cli-plugins"
# The base images as the standalone builder sees them: in the test registry.
REGISTRY_IMAGE_BUSYBOX="$REGISTRY_ADDR/$IMAGE_BUSYBOX"
REGISTRY_IMAGE_NODE="$REGISTRY_ADDR/$IMAGE_NODE"

BUILDKIT_BUILD_PIDS=()

# The buildkit version buildkitd/buildctl were built against ("" when missing): our throwaway module
# builds a package of buildkit, whose module the build information names.
buildkit_binary_version() {
  [[ -x "$1" ]] || return 0
  go version -m "$1" 2>/dev/null | awk -v m="$BUILDKIT_MODULE" '($1 == "mod" || $1 == "dep") && $2 == m { print $3; exit }'
}

# `go install` refuses buildkit's commands (its go.mod has exclude directives), so: a module of our
# own that requires buildkit and copies those exclude lines, and `go build` inside it.
build_buildkitd() {
  local mod="$BUILDKIT_DIR/module" log="$BUILDKIT_DIR/build.log" gomod
  mkdir -p "$mod"
  (
    cd "$mod" &&
      gomod="$(go mod download -json "$BUILDKIT_MODULE@$BUILDKIT_VERSION" |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).GoMod))')" &&
      {
        printf 'module powertrain.test/buildkitd\n\ngo %s\n\nrequire %s %s\n\n' \
          "$(awk '$1 == "go" { print $2; exit }' "$gomod")" "$BUILDKIT_MODULE" "$BUILDKIT_VERSION"
        sed -n '/^exclude (/,/^)/p' "$gomod"
      } >go.mod &&
      go get "$BUILDKIT_MODULE/cmd/buildkitd@$BUILDKIT_VERSION" "$BUILDKIT_MODULE/cmd/buildctl@$BUILDKIT_VERSION" &&
      go build -o "$GO_BIN_DIR/" "$BUILDKIT_MODULE/cmd/buildkitd" "$BUILDKIT_MODULE/cmd/buildctl"
  ) >"$log" 2>&1
}

# Starts the slow Go builds in the background (setup goes on with the other services meanwhile);
# wait_buildkit_builds collects them.
start_buildkit_builds() {
  BUILDKIT_BUILD_PIDS=()
  local need_buildx=0 need_buildkitd=0
  [[ "$(go_binary_version "$BUILDX_BIN")" == "$BUILDX_VERSION" ]] || need_buildx=1
  [[ "$(buildkit_binary_version "$BUILDKITD_BIN")" == "$BUILDKIT_VERSION" &&
    "$(buildkit_binary_version "$BUILDCTL_BIN")" == "$BUILDKIT_VERSION" ]] || need_buildkitd=1
  ((need_buildx + need_buildkitd == 0)) && return 0
  command -v go >/dev/null || die "go is needed to build buildx and buildkitd (install golang-go)"
  mkdir -p "$GO_BIN_DIR" "$BUILDKIT_DIR"
  if ((need_buildx)); then
    progress "building buildx $BUILDX_VERSION with go install (in the background)"
    (go_tool "$BUILDX_BIN" "$BUILDX_MODULE" "$BUILDX_VERSION" >/dev/null) 9>&- &
    BUILDKIT_BUILD_PIDS+=("$!")
  fi
  if ((need_buildkitd)); then
    progress "building buildkitd $BUILDKIT_VERSION with go build (in the background)"
    (build_buildkitd) 9>&- &
    BUILDKIT_BUILD_PIDS+=("$!")
  fi
}

wait_buildkit_builds() {
  local pid failed=0
  for pid in "${BUILDKIT_BUILD_PIDS[@]}"; do wait "$pid" || failed=1; done
  BUILDKIT_BUILD_PIDS=()
  ((failed == 0)) && [[ -x "$BUILDKITD_BIN" && -x "$BUILDX_BIN" ]] && return 0
  die "building buildx or buildkitd failed:
$(log_tail "$GO_BIN_DIR/buildx.install.log")
$(log_tail "$BUILDKIT_DIR/build.log")"
}

# buildx as a plugin of the docker CLI for every user; a link, so a rebuilt binary is picked up.
ensure_buildx_plugin() {
  [[ "$(readlink "$CLI_PLUGIN_DIR/docker-buildx" 2>/dev/null)" == "$BUILDX_BIN" ]] && return 0
  need_root "installing the buildx plugin into $CLI_PLUGIN_DIR"
  progress "installing buildx as a docker CLI plugin ($CLI_PLUGIN_DIR)"
  mkdir -p "$CLI_PLUGIN_DIR"
  ln -sfn "$BUILDX_BIN" "$CLI_PLUGIN_DIR/docker-buildx"
  # A user's own plugin directory wins over the system one: keep root's pointing at the same binary.
  if [[ -e "$HOME/.docker/cli-plugins/docker-buildx" ]]; then
    ln -sfn "$BUILDX_BIN" "$HOME/.docker/cli-plugins/docker-buildx"
  fi
}

buildkitd_config() {
  cat <<EOF
# Written by ./scripts/setup. The test registry speaks plain HTTP on loopback.
[worker.oci]
  enabled = true
  gc = true
[worker.containerd]
  enabled = false
[registry."$REGISTRY_ADDR"]
  http = true
EOF
}

buildkitd_answers() {
  [[ -S "$BUILDKIT_SOCK" ]] && "$BUILDCTL_BIN" --addr "unix://$BUILDKIT_SOCK" debug workers >/dev/null 2>&1
}

ensure_buildkitd() {
  local changed=0 i
  write_if_changed "$BUILDKIT_CONF" "$(buildkitd_config)" && changed=1
  if pid_alive "$BUILDKIT_PID" "$BUILDKITD_BIN"; then
    ((changed)) || return 0
    progress "restarting buildkitd (its configuration changed)"
    stop_pidfile "$BUILDKIT_PID" "$BUILDKITD_BIN"
  else
    progress "starting buildkitd on $BUILDKIT_SOCK"
  fi
  need_root "starting buildkitd"
  mkdir -p "$BUILDKIT_DIR/state"
  rm -f "$BUILDKIT_SOCK"
  setsid "$BUILDKITD_BIN" --config "$BUILDKIT_CONF" --root "$BUILDKIT_DIR/state" \
    --addr "unix://$BUILDKIT_SOCK" --oci-worker=true --containerd-worker=false \
    </dev/null >"$BUILDKIT_LOG" 2>&1 9>&- &
  echo "$!" >"$BUILDKIT_PID"
  for ((i = 0; i < 300; i++)); do
    buildkitd_answers && return 0
    # kill -0, not pid_alive: right after the fork the child may not have exec'd buildkitd yet.
    kill -0 "$(cat "$BUILDKIT_PID")" 2>/dev/null || break
    sleep 0.2
  done
  die "buildkitd did not come up:
$(log_tail "$BUILDKIT_LOG")"
}

# The named remote builder; `docker buildx use` is never called, the default stays the daemon's.
ensure_buildx_builder() {
  local endpoint="unix://$BUILDKIT_SOCK"
  if docker buildx inspect "$BUILDX_BUILDER" 2>/dev/null | grep -qF "$endpoint"; then return 0; fi
  progress "registering buildx builder $BUILDX_BUILDER (remote driver, $endpoint)"
  docker buildx rm "$BUILDX_BUILDER" >/dev/null 2>&1 || true
  docker buildx create --name "$BUILDX_BUILDER" --driver remote "$endpoint" >/dev/null
}

# The standalone builder cannot see the daemon's images: push the base images to the registry
# (with a throwaway docker login), once per image ID.
push_base_image() {
  local local_ref="$1" remote_ref="$2" id stamp config
  id="$(docker image inspect --format '{{.Id}}' "$local_ref")"
  stamp="$BUILDKIT_DIR/pushed-$(printf '%s' "$remote_ref" | tr -c 'A-Za-z0-9._-' '_')"
  [[ -f "$stamp" && "$(cat "$stamp")" == "$id" ]] && registry_has "$remote_ref" && return 0
  progress "pushing $local_ref to $remote_ref"
  config="$(mktemp -d)"
  docker tag "$local_ref" "$remote_ref"
  if ! registry_password | docker --config "$config" login -u "$REGISTRY_USER" --password-stdin \
    "$REGISTRY_ADDR" >/dev/null 2>&1 || ! docker --config "$config" push -q "$remote_ref" >/dev/null; then
    rm -rf "$config"
    die "pushing $remote_ref failed"
  fi
  rm -rf "$config"
  printf '%s\n' "$id" >"$stamp"
}

# True when the registry has a manifest for REF (host/repository:tag).
registry_has() {
  local rest="${1#*/}"
  node -e '
    const [url, user, password] = process.argv.slice(1);
    fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000), headers: {
      authorization: "Basic " + Buffer.from(`${user}:${password}`).toString("base64"),
      accept: "application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json",
    } }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1));
  ' "http://$REGISTRY_ADDR/v2/${rest%:*}/manifests/${rest##*:}" "$REGISTRY_USER" "$(registry_password)"
}

ensure_buildkit() {
  wait_buildkit_builds
  ensure_qemu
  ensure_buildx_plugin
  ensure_buildkitd
  ensure_buildx_builder
  push_base_image "$IMAGE_BUSYBOX" "$REGISTRY_IMAGE_BUSYBOX"
  push_base_image "$IMAGE_NODE" "$REGISTRY_IMAGE_NODE"
}

status_buildkit() {
  printf '%-10s %s\n' buildx "$(go_binary_version "$BUILDX_BIN" || true)"
  if pid_alive "$BUILDKIT_PID" "$BUILDKITD_BIN"; then
    echo "buildkitd  running (pid $(cat "$BUILDKIT_PID"), $BUILDKIT_SOCK, builder $BUILDX_BUILDER)"
  else
    echo "buildkitd  stopped"
  fi
}

stop_buildkit() {
  docker buildx rm "$BUILDX_BUILDER" >/dev/null 2>&1 || true
  stop_pidfile "$BUILDKIT_PID" "$BUILDKITD_BIN"
  rm -f "$BUILDKIT_SOCK"
}

# QEMU user emulation for arm64 RUN steps: Debian's qemu-user-static ships binfmt.d entries;
# registered with the F flag, so the interpreter is opened now and works inside build containers.
QEMU_PACKAGE="qemu-user-static"
QEMU_BINFMT_DIR="/proc/sys/fs/binfmt_misc"
QEMU_ARCHES=(aarch64)

ensure_qemu() {
  local arch conf
  # Emulation is for arm64 RUN steps only: without root (a laptop), say so and go on.
  if ! is_root && { ! deb_installed "$QEMU_PACKAGE" || [[ ! -e "$QEMU_BINFMT_DIR/qemu-${QEMU_ARCHES[0]}" ]]; }; then
    warn "QEMU emulation needs root to install and register; arm64 RUN steps will not build"
    return 0
  fi
  if ! deb_installed "$QEMU_PACKAGE"; then
    need_root "installing $QEMU_PACKAGE"
    progress "installing Debian package $QEMU_PACKAGE (arm64 builds)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$QEMU_PACKAGE" >/dev/null
  fi
  if [[ ! -e "$QEMU_BINFMT_DIR/register" ]]; then
    need_root "mounting binfmt_misc"
    progress "mounting binfmt_misc"
    mount -t binfmt_misc binfmt_misc "$QEMU_BINFMT_DIR" ||
      { warn "cannot mount binfmt_misc: arm64 RUN steps will not build"; return 0; }
  fi
  for arch in "${QEMU_ARCHES[@]}"; do
    [[ -e "$QEMU_BINFMT_DIR/qemu-$arch" ]] && continue
    conf="/usr/lib/binfmt.d/qemu-$arch.conf"
    [[ -f "$conf" ]] || { warn "$conf is missing: no $arch emulation"; continue; }
    progress "registering QEMU for $arch (binfmt_misc)"
    cat "$conf" >"$QEMU_BINFMT_DIR/register" || warn "registering qemu-$arch failed"
  done
}
