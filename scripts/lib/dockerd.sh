# The Docker engine: started directly (no systemd on these machines) when `docker info` fails.
# shellcheck shell=bash

DOCKERD_PID="$SERVICES_DIR/dockerd.pid"
DOCKERD_LOG="$SERVICES_DIR/dockerd.log"

docker_answers() { docker info >/dev/null 2>&1; }

ensure_dockerd() {
  docker_answers && return 0
  need_root "starting dockerd"
  getent group docker >/dev/null || groupadd --system docker
  mkdir -p "$SERVICES_DIR"
  progress "starting dockerd (log: ${DOCKERD_LOG#"$ROOT/"})"
  # The pidfile marks dockerd as ours, so --stop stops only a dockerd that setup started.
  setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$DOCKERD_PID"
  local i
  for ((i = 0; i < 60; i++)); do
    docker_answers && return 0
    kill -0 "$(cat "$DOCKERD_PID")" 2>/dev/null || break
    sleep 0.5
  done
  die "dockerd did not answer within 30 s; last lines of $DOCKERD_LOG:
$(log_tail "$DOCKERD_LOG")"
}

stop_dockerd() {
  if pid_alive "$DOCKERD_PID" dockerd; then
    progress "stopping dockerd (started by setup)"
    stop_pidfile "$DOCKERD_PID" dockerd
  fi
}

status_dockerd() {
  if ! docker_answers; then
    echo "dockerd    not answering"
  elif pid_alive "$DOCKERD_PID" dockerd; then
    echo "dockerd    running (pid $(cat "$DOCKERD_PID"), started by setup)"
  else
    echo "dockerd    running (not started by setup)"
  fi
}
