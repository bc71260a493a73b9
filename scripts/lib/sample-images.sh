# Base images of the sample applications in examples/. Nothing can be pulled from a public
# registry, so each example's Dockerfile defaults its base (`ARG BASE=…`) to one of the local
# images images.sh makes from the host's own node and busybox; this checks that every such base
# exists, building the local ones when they are missing.
# shellcheck shell=bash

EXAMPLES_DIR="$ROOT/examples"

# The default of `ARG BASE=` in a Dockerfile ("" when it has none).
dockerfile_base() {
  sed -n 's/^ARG BASE=\([^[:space:]]*\).*/\1/p' "$1" | head -n 1
}

sample_bases() {
  local dockerfile
  for dockerfile in "$EXAMPLES_DIR"/*/Dockerfile; do
    [[ -f "$dockerfile" ]] && dockerfile_base "$dockerfile"
  done | sort -u | sed '/^$/d'
}

ensure_sample_images() {
  local base missing=()
  for base in $(sample_bases); do
    docker image inspect "$base" >/dev/null 2>&1 || missing+=("$base")
  done
  ((${#missing[@]} == 0)) && return 0
  ensure_images
  for base in "${missing[@]}"; do
    docker image inspect "$base" >/dev/null 2>&1 ||
      die "base image $base of an example in $EXAMPLES_DIR does not exist and setup does not make it"
  done
}

status_sample_images() {
  local base
  for base in $(sample_bases); do
    if docker image inspect "$base" >/dev/null 2>&1; then
      echo "sample     base $base present"
    else
      echo "sample     base $base missing"
    fi
  done
}
