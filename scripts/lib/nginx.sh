# nginx as the deploy hosts' load balancer, run by the deploy user itself (no root): its own prefix,
# pid file and temp paths under .tmp/services/nginx, listening on 127.0.0.1 only. powertrain writes
# upstream files into conf.d/powertrain/ over ssh, validates with `nginx -t -c` and reloads with
# `nginx -s reload -c`. One catch-all server proxies to the upstream named by the Host header
# (proxy_pass with a variable looks the name up among the upstream blocks), so each test app
# reaches its own upstream `<app>-<environment>` without a server block of its own.
# shellcheck shell=bash

NGINX_PORT=20080
NGINX_DIR="$SERVICES_DIR/nginx"
NGINX_CONF="$NGINX_DIR/nginx.conf"
NGINX_CONF_DIR="$NGINX_DIR/conf.d"
NGINX_PID="$NGINX_DIR/nginx.pid"
NGINX_BIN=/usr/sbin/nginx

nginx_config() {
  cat <<CONF
# Written by scripts/setup; changes here are overwritten.
worker_processes 1;
pid $NGINX_PID;
error_log $NGINX_DIR/error.log warn;
events { worker_connections 1024; }
http {
  # An http-level log (to nowhere) rather than "off": "off" would also silence the JSON access log
  # powertrain's upstream files add while a canary runs, and without any access_log nginx opens
  # its default log, which the deploy user cannot write.
  access_log /dev/null;
  client_body_temp_path $NGINX_DIR/tmp/body;
  proxy_temp_path $NGINX_DIR/tmp/proxy;
  fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
  uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
  scgi_temp_path $NGINX_DIR/tmp/scgi;
  include $NGINX_CONF_DIR/powertrain/*.conf;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://\$host;
      proxy_connect_timeout 2s;
    }
  }
}
CONF
}

# Runs nginx as the deploy user, with our configuration.
as_nginx_user() {
  if [[ "$(id -un)" == "$SSH_USER" ]]; then "$@"; else runuser -u "$SSH_USER" -- "$@"; fi
}

ensure_nginx() {
  [[ -x "$NGINX_BIN" ]] || die "nginx is not installed (Debian package nginx)"
  if [[ ! -d "$NGINX_CONF_DIR/powertrain" ]]; then
    need_root "preparing $NGINX_DIR for $SSH_USER"
    install -d -o "$SSH_USER" -g "$SSH_USER" "$NGINX_DIR" "$NGINX_DIR/tmp" "$NGINX_CONF_DIR" "$NGINX_CONF_DIR/powertrain"
  fi
  local restart=0
  if write_if_changed "$NGINX_CONF" "$(nginx_config)"; then
    chown "$SSH_USER:" "$NGINX_CONF"
    restart=1
  fi
  if pid_alive "$NGINX_PID" "nginx: master"; then
    ((restart == 0)) && return 0
    progress "reloading nginx (configuration changed)"
    as_nginx_user "$NGINX_BIN" -t -q -c "$NGINX_CONF" || die "nginx rejects $NGINX_CONF"
    as_nginx_user "$NGINX_BIN" -s reload -c "$NGINX_CONF" || die "nginx reload failed"
    return 0
  fi
  progress "starting nginx as $SSH_USER on 127.0.0.1:$NGINX_PORT (log: ${NGINX_DIR#"$ROOT/"}/error.log)"
  as_nginx_user "$NGINX_BIN" -t -q -c "$NGINX_CONF" || die "nginx rejects $NGINX_CONF"
  # nginx daemonizes itself; fd 9 (setup's lock) must not leak into it.
  as_nginx_user "$NGINX_BIN" -c "$NGINX_CONF" 9>&- || die "nginx failed to start:
$(log_tail "$NGINX_DIR/error.log")"
  local i
  for ((i = 0; i < 40; i++)); do
    pid_alive "$NGINX_PID" "nginx: master" && return 0
    sleep 0.1
  done
  die "nginx did not write $NGINX_PID; last lines of its log:
$(log_tail "$NGINX_DIR/error.log")"
}

stop_nginx() {
  if pid_alive "$NGINX_PID" "nginx: master"; then
    progress "stopping nginx"
    as_nginx_user "$NGINX_BIN" -s quit -c "$NGINX_CONF" 2>/dev/null || stop_pidfile "$NGINX_PID" "nginx: master"
  fi
}

status_nginx() {
  if pid_alive "$NGINX_PID" "nginx: master"; then
    echo "nginx      running on 127.0.0.1:$NGINX_PORT as $SSH_USER (pid $(cat "$NGINX_PID"))"
  else
    echo "nginx      not running"
  fi
}
