# A second reference registry with `auth: token`, as GHCR, Docker Hub, Harbor and Artifactory
# answer: a Bearer challenge naming a realm, and scoped JWTs from a token server
# (scripts/token-server.mjs) signed by a key whose certificate openssl makes here. The registry
# verifies every token and its scopes itself. Users and what they may do:
#   pt-push      pull, push on every repository
#   pt-pull      pull on every repository
#   pt-promoter  pull on snapshot/*, pull and push on release/*
#   pt-short     pull, push everywhere; its tokens die after 5 s though the answer claims 300 s
# shellcheck shell=bash

TOKEN_REGISTRY_ADDR="127.0.0.1:5210"
TOKEN_SERVER_ADDR="127.0.0.1:5211"
TOKEN_REALM="http://$TOKEN_SERVER_ADDR/token"
TOKEN_SERVICE="powertrain-token-registry"
TOKEN_ISSUER="powertrain-test-token-server"
TOKEN_USERS=(pt-push pt-pull pt-promoter pt-short)
TOKEN_DIR="$SERVICES_DIR/token-registry"
TOKEN_REGISTRY_PID="$TOKEN_DIR/registry.pid"
TOKEN_SERVER_PID="$TOKEN_DIR/token-server.pid"
TOKEN_REGISTRY_LOG="$SERVICES_DIR/token-registry.log"
TOKEN_SERVER_LOG="$SERVICES_DIR/token-server.log"

token_password() { cat "$TOKEN_DIR/password-$1"; }

ensure_token_registry() {
  mkdir -p "$TOKEN_DIR/data"
  local user restart=0
  for user in "${TOKEN_USERS[@]}"; do
    [[ -s "$TOKEN_DIR/password-$user" ]] ||
      (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '+/=' >"$TOKEN_DIR/password-$user")
  done
  if [[ ! -s "$TOKEN_DIR/token.key" || ! -s "$TOKEN_DIR/token.crt" ]]; then
    progress "making the token signing key and certificate (openssl)"
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$TOKEN_DIR/token.key" -out "$TOKEN_DIR/token.crt" -days 3650 \
      -subj "/CN=powertrain test token server" 2>/dev/null) || die "openssl could not make the token key"
    restart=1
  fi
  (umask 077 && write_if_changed "$TOKEN_DIR/token-server.json" "$(token_server_config)") && restart=1
  write_if_changed "$TOKEN_DIR/config.yml" "$(token_registry_config)" && restart=1

  start_token_process "$TOKEN_SERVER_PID" token-server.mjs "http://$TOKEN_SERVER_ADDR/healthz" 200 "$restart" \
    "$TOKEN_SERVER_LOG" node "$ROOT/scripts/token-server.mjs" "$TOKEN_DIR/token-server.json"
  start_token_process "$TOKEN_REGISTRY_PID" "$TOKEN_DIR/config.yml" "http://$TOKEN_REGISTRY_ADDR/v2/" 401 "$restart" \
    "$TOKEN_REGISTRY_LOG" docker-registry serve "$TOKEN_DIR/config.yml"
}

# start_token_process PIDFILE MATCH URL STATUS RESTART LOG COMMAND… — idempotent: kept when it
# runs and answers URL with STATUS, restarted when RESTART is 1.
start_token_process() {
  local pidfile="$1" match="$2" url="$3" want="$4" restart="$5" log="$6" i status=000
  shift 6
  if pid_alive "$pidfile" "$match"; then
    if ((restart == 0)) && [[ "$(http_status "$url")" == "$want" ]]; then return 0; fi
    progress "restarting $(basename "$1") for the token registry (configuration changed)"
    stop_pidfile "$pidfile" "$match"
  else
    progress "starting $(basename "$1") for the token registry (log: ${log#"$ROOT/"})"
  fi
  setsid "$@" >>"$log" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
  for ((i = 0; i < 40; i++)); do
    status="$(http_status "$url")"
    [[ "$status" == "$want" ]] && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.25
  done
  die "$url did not answer $want (got $status); last lines of $log:
$(log_tail "$log")"
}

token_server_config() {
  cat <<JSON
{
  "listen": "$TOKEN_SERVER_ADDR",
  "issuer": "$TOKEN_ISSUER",
  "service": "$TOKEN_SERVICE",
  "key": "$TOKEN_DIR/token.key",
  "expiresIn": 300,
  "users": {
    "pt-push": { "password": "$(token_password pt-push)", "access": [{ "repository": "*", "actions": ["pull", "push"] }] },
    "pt-pull": { "password": "$(token_password pt-pull)", "access": [{ "repository": "*", "actions": ["pull"] }] },
    "pt-promoter": {
      "password": "$(token_password pt-promoter)",
      "access": [
        { "repository": "snapshot/*", "actions": ["pull"] },
        { "repository": "release/*", "actions": ["pull", "push"] }
      ]
    },
    "pt-short": {
      "password": "$(token_password pt-short)",
      "expiresIn": 5,
      "lieAboutExpiry": true,
      "access": [{ "repository": "*", "actions": ["pull", "push"] }]
    }
  }
}
JSON
}

token_registry_config() {
  cat <<YAML
# Written by scripts/setup; changes here are overwritten.
version: 0.1
log:
  level: info
  fields:
    service: token-registry
storage:
  filesystem:
    rootdirectory: $TOKEN_DIR/data
  delete:
    enabled: true
http:
  addr: $TOKEN_REGISTRY_ADDR
auth:
  token:
    realm: $TOKEN_REALM
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $TOKEN_DIR/token.crt
YAML
}

stop_token_registry() {
  if pid_alive "$TOKEN_REGISTRY_PID" "$TOKEN_DIR/config.yml" || pid_alive "$TOKEN_SERVER_PID" token-server.mjs; then
    progress "stopping the token registry"
    stop_pidfile "$TOKEN_REGISTRY_PID" "$TOKEN_DIR/config.yml"
    stop_pidfile "$TOKEN_SERVER_PID" token-server.mjs
  fi
}

status_token_registry() {
  if pid_alive "$TOKEN_REGISTRY_PID" "$TOKEN_DIR/config.yml"; then
    echo "token reg  running on $TOKEN_REGISTRY_ADDR, realm $TOKEN_REALM (/v2/ answers $(http_status "http://$TOKEN_REGISTRY_ADDR/v2/"))"
  else
    echo "token reg  not running"
  fi
}
