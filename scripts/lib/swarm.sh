# The local dockerd as a single-node Docker Swarm, for the swarm deploy engine's tests.
# A swarm manager still runs plain `docker run` containers and bridge networks as before.
# shellcheck shell=bash

swarm_state() { docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }

ensure_swarm() {
  local state
  state="$(swarm_state)"
  case "$state" in
    active) return 0 ;;
    inactive) ;;
    pending | locked | error)
      die "the local dockerd's swarm is $state; fix it (docker swarm leave --force) and run setup again"
      ;;
    *) die "cannot read the swarm state of the local dockerd (docker info said: ${state:-nothing})" ;;
  esac
  progress "making the local dockerd a single-node swarm (manager on 127.0.0.1)"
  # Loopback only: the swarm listens on 127.0.0.1:2377 and nothing outside the machine can join.
  docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >/dev/null ||
    die "docker swarm init failed"
}

status_swarm() {
  local state
  state="$(swarm_state)"
  if [[ "$state" == active ]]; then
    echo "swarm      active (single node, manager on 127.0.0.1)"
  else
    echo "swarm      ${state:-unknown}"
  fi
}
