# Local base images for tests: nothing can be pulled from public registries, so they are made
# from the host's own static busybox and node binary. Each image carries a label with a hash of
# its inputs and is rebuilt only when that hash changes.
# shellcheck shell=bash

IMAGE_BUSYBOX="powertrain-test/busybox:1"
IMAGE_NODE="powertrain-test/node:20"
IMAGE_FIXTURES="$ROOT/test/fixtures/images"
IMAGE_CONTEXTS="$TMP_DIR/images"
INPUTS_LABEL="org.powertrain.test.inputs"

busybox_binary() { readlink -f /bin/busybox; }
node_binary() { readlink -f "$(command -v node)"; }

# The shared libraries and the dynamic loader node needs, as ldd lists them.
node_libraries() {
  ldd "$(node_binary)" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u
}

# Fixture files by content; host binaries by path, size and mtime (any package upgrade changes those).
inputs_hash() {
  local name="$1"
  shift
  {
    (cd "$IMAGE_FIXTURES/$name" && find . -type f | sort | xargs sha256sum)
    sha256sum <"${BASH_SOURCE[0]}" # this file: how the images are made
    local f
    for f in "$@"; do stat -L -c '%n %s %Y' "$f"; done
  } | sha256sum | cut -c1-16
}

image_label() {
  docker image inspect --format "{{ index .Config.Labels \"$INPUTS_LABEL\" }}" "$1" 2>/dev/null || true
}

# build_image NAME TAG HASH SRC:DEST... — each host file SRC is copied to DEST in the context's rootfs.
build_image() {
  local name="$1" tag="$2" hash="$3"
  shift 3
  local ctx="$IMAGE_CONTEXTS/$name" old pair dest
  [[ "$(image_label "$tag")" == "$hash" ]] && return 0
  progress "building image $tag"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp -r "$IMAGE_FIXTURES/$name/." "$ctx/"
  for pair in "$@"; do
    dest="$ctx/rootfs${pair#*:}"
    mkdir -p "$(dirname "$dest")"
    cp -L "${pair%%:*}" "$dest"
  done
  old="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
  local log="$IMAGE_CONTEXTS/$name.build.log"
  docker build --label "$INPUTS_LABEL=$hash" -t "$tag" "$ctx" >"$log" 2>&1 ||
    die "building $tag failed:
$(log_tail "$log")"
  # The replaced image is now untagged; remove it unless a container still uses it.
  [[ -n "$old" && "$old" != "$(docker image inspect --format '{{.Id}}' "$tag")" ]] &&
    docker image rm "$old" >/dev/null 2>&1
  return 0
}

ensure_images() {
  local busybox node
  busybox="$(busybox_binary)"
  node="$(node_binary)"
  build_image busybox "$IMAGE_BUSYBOX" "$(inputs_hash busybox "$busybox")" "$busybox:/bin/busybox"

  local -a libs lib_pairs=()
  local lib
  mapfile -t libs < <(node_libraries)
  for lib in "${libs[@]}"; do lib_pairs+=("$lib:$lib"); done
  build_image node "$IMAGE_NODE" "$(inputs_hash node "$busybox" "$node" "${libs[@]}")" \
    "$busybox:/bin/busybox" "$node:/usr/local/bin/node" "${lib_pairs[@]}"
}

status_images() {
  local tag
  for tag in "$IMAGE_BUSYBOX" "$IMAGE_NODE"; do
    if docker image inspect "$tag" >/dev/null 2>&1; then
      echo "image      $tag present"
    else
      echo "image      $tag missing"
    fi
  done
}
