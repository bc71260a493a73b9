# A local OCI registry (Debian's docker-registry, the reference distribution registry) with basic auth.
# shellcheck shell=bash

REGISTRY_ADDR="127.0.0.1:5000"
REGISTRY_USER="powertrain"
REGISTRY_DIR="$SERVICES_DIR/registry"
REGISTRY_PID="$REGISTRY_DIR/registry.pid"
REGISTRY_LOG="$SERVICES_DIR/registry.log"

registry_password() { cat "$REGISTRY_DIR/password"; }

ensure_registry() {
  mkdir -p "$REGISTRY_DIR/data"
  local restart=0
  if [[ ! -s "$REGISTRY_DIR/password" ]]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '+/=' >"$REGISTRY_DIR/password")
  fi
  if ! htpasswd -vb "$REGISTRY_DIR/htpasswd" "$REGISTRY_USER" "$(registry_password)" >/dev/null 2>&1; then
    (umask 077 && htpasswd -Bbn "$REGISTRY_USER" "$(registry_password)" >"$REGISTRY_DIR/htpasswd")
    restart=1
  fi
  write_if_changed "$REGISTRY_DIR/config.yml" "$(registry_config)" && restart=1

  if pid_alive "$REGISTRY_PID" docker-registry; then
    if ((restart == 0)) && [[ "$(http_status "http://$REGISTRY_ADDR/v2/")" == 401 ]]; then return 0; fi
    progress "restarting registry (configuration changed)"
    stop_pidfile "$REGISTRY_PID" docker-registry
  else
    progress "starting registry on $REGISTRY_ADDR (log: ${REGISTRY_LOG#"$ROOT/"})"
  fi
  setsid docker-registry serve "$REGISTRY_DIR/config.yml" >>"$REGISTRY_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$REGISTRY_PID"
  local i status=000
  for ((i = 0; i < 40; i++)); do
    status="$(http_status "http://$REGISTRY_ADDR/v2/")"
    [[ "$status" == 401 ]] && return 0
    kill -0 "$(cat "$REGISTRY_PID")" 2>/dev/null || break
    sleep 0.25
  done
  die "registry on $REGISTRY_ADDR did not answer /v2/ with 401 (got $status); last lines of $REGISTRY_LOG:
$(log_tail "$REGISTRY_LOG")"
}

registry_config() {
  cat <<YAML
# Written by scripts/setup; changes here are overwritten.
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: powertrain-test
    path: $REGISTRY_DIR/htpasswd
YAML
}

stop_registry() {
  if pid_alive "$REGISTRY_PID" docker-registry; then
    progress "stopping registry"
    stop_pidfile "$REGISTRY_PID" docker-registry
  fi
}

status_registry() {
  if pid_alive "$REGISTRY_PID" docker-registry; then
    echo "registry   running on $REGISTRY_ADDR (pid $(cat "$REGISTRY_PID"), /v2/ answers $(http_status "http://$REGISTRY_ADDR/v2/"))"
  else
    echo "registry   not running"
  fi
}
