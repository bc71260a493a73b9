# The fleet: N isolated Docker hosts on this machine, for many-host deploys and faults. Host i is a
# network namespace pt-fleet-i (veth pt-fleet-vi to the bridge pt-fleet-br, address 10.231.0.(10+i))
# with its own dockerd (data-root, exec-root, socket, pidfile, bridge, engine ID) and its own sshd,
# reachable only at the namespace address, for its own deploy user ptfleeti (own home, so locks and
# history stay per host; sshd sets DOCKER_HOST to that host's engine). Engines pull from the local
# registry through a Toxiproxy at the bridge address, which also fronts each host's sshd on
# 127.0.0.1:(5400+i) so tests can slow a link down or cut it.
# shellcheck shell=bash

FLEET_DEFAULT=4
FLEET_MAX=16
FLEET_DIR="$TMP_DIR/fleet"
FLEET_RUN=/run/pt-fleet # exec-roots and sockets: short paths (unix socket names are limited)
FLEET_BRIDGE=pt-fleet-br
FLEET_GATEWAY=10.231.0.1
FLEET_SSH_PORT=22
FLEET_REGISTRY="$FLEET_GATEWAY:5000"
FLEET_KNOWN_HOSTS="$FLEET_DIR/known_hosts"
FLEET_PROXY_BASE=5400
TOXIPROXY_VERSION=v2.5.0
TOXIPROXY_BIN="$TMP_DIR/bin/toxiproxy-server"
TOXIPROXY_API=127.0.0.1:5474
TOXIPROXY_PID="$FLEET_DIR/toxiproxy.pid"
TOXIPROXY_LOG="$SERVICES_DIR/toxiproxy.log"

fleet_addr() { echo "10.231.0.$((10 + $1))"; }
fleet_user() { echo "ptfleet$1"; }
fleet_ns() { echo "pt-fleet-$1"; }
fleet_dir() { echo "$FLEET_DIR/h$1"; }
fleet_socket() { echo "$FLEET_RUN/h$1/docker.sock"; }

# How many hosts: --fleet N (remembered), else the number remembered, else 4.
fleet_count() {
  local n="${FLEET_REQUEST:-}"
  [[ -n "$n" ]] || n="$(cat "$FLEET_DIR/count" 2>/dev/null || echo "$FLEET_DEFAULT")"
  [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= FLEET_MAX)) || die "--fleet takes 1 to $FLEET_MAX hosts, not '$n'"
  echo "$n"
}

ensure_toxiproxy_binary() {
  [[ "$(go_binary_version "$TOXIPROXY_BIN")" == "$TOXIPROXY_VERSION" ]] && return 0
  command -v go >/dev/null || die "go is needed to build toxiproxy-server (install golang-go)"
  progress "building toxiproxy-server $TOXIPROXY_VERSION with go install"
  local tmp log="$TMP_DIR/bin/toxiproxy.install.log"
  mkdir -p "$TMP_DIR/bin"
  tmp="$(mktemp -d)"
  GOBIN="$tmp" go install "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION" >"$log" 2>&1 ||
    die "go install toxiproxy failed:
$(log_tail "$log")"
  mv "$tmp/server" "$TOXIPROXY_BIN"
  rm -rf "$tmp" "$log"
}

ensure_fleet_user() {
  local user
  user="$(fleet_user "$1")"
  if ! getent passwd "$user" >/dev/null; then
    need_root "creating user $user"
    progress "creating fleet deploy user $user"
    useradd --create-home --user-group --shell /bin/bash "$user"
  fi
  [[ "$(getent shadow "$user" | cut -d: -f2)" == '!'* ]] && usermod -p '*' "$user" # see ssh.sh
  local home
  home="$(getent passwd "$user" | cut -d: -f6)"
  if ! cmp -s "$SSH_KEY.pub" "$home/.ssh/authorized_keys"; then
    install -d -m 700 -o "$user" -g "$user" "$home/.ssh"
    install -m 600 -o "$user" -g "$user" "$SSH_KEY.pub" "$home/.ssh/authorized_keys"
  fi
}

ensure_fleet_bridge() {
  ip link show "$FLEET_BRIDGE" >/dev/null 2>&1 && return 0
  progress "creating bridge $FLEET_BRIDGE ($FLEET_GATEWAY/24)"
  ip link add "$FLEET_BRIDGE" type bridge
  ip addr add "$FLEET_GATEWAY/24" dev "$FLEET_BRIDGE"
  ip link set "$FLEET_BRIDGE" up
}

ensure_fleet_netns() {
  local i="$1" ns veth
  ns="$(fleet_ns "$i")" veth="pt-fleet-v$i"
  ip netns list | grep -qw "^$ns" || ip netns add "$ns"
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    ip link del "$veth" 2>/dev/null || true
    ip link add "$veth" type veth peer name "$veth-p"
    ip link set "$veth" master "$FLEET_BRIDGE" up
    ip link set "$veth-p" netns "$ns"
    ip -n "$ns" link set "$veth-p" name eth0
    ip -n "$ns" addr add "$(fleet_addr "$i")/24" dev eth0
  fi
  # Up again after a fault test took the link down.
  ip link set "$veth" up
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route replace default via "$FLEET_GATEWAY"
}

fleet_daemon_json() {
  local i="$1" dir run
  dir="$(fleet_dir "$i")" run="$FLEET_RUN/h$i"
  cat <<JSON
{
  "data-root": "$dir/docker",
  "exec-root": "$run",
  "pidfile": "$run/dockerd.pid",
  "hosts": ["unix://$(fleet_socket "$i")"],
  "group": "$(fleet_user "$i")",
  "bip": "10.232.$i.1/24",
  "deprecated-key-path": "$dir/key.json",
  "insecure-registries": ["$FLEET_REGISTRY"],
  "cgroup-parent": "pt-fleet-$i",
  "containerd-namespace": "pt-fleet-$i",
  "containerd-plugins-namespace": "pt-fleet-$i-plugins",
  "shutdown-timeout": 5
}
JSON
}

fleet_engine_answers() { docker -H "unix://$(fleet_socket "$1")" info --format '{{.ID}}' >/dev/null 2>&1; }

# Starts host i's dockerd when it is not running (or its configuration changed); does not wait.
start_fleet_engine() {
  local i="$1" dir config
  dir="$(fleet_dir "$i")" config="$(fleet_dir "$i")/daemon.json"
  mkdir -p "$dir" "$FLEET_RUN/h$i"
  if write_if_changed "$config" "$(fleet_daemon_json "$i")"; then
    stop_pidfile "$FLEET_RUN/h$i/dockerd.pid" "$config"
  fi
  pid_alive "$FLEET_RUN/h$i/dockerd.pid" "$config" && return 0
  progress "starting dockerd of fleet host $i (log: ${dir#"$ROOT/"}/dockerd.log)"
  # nsenter --net, not `ip netns exec`: that remounts /sys and dockerd then finds no cgroups.
  # In a subshell, so it is no job of this shell (wait_pids waits for its own pids only).
  (setsid nsenter --net="/var/run/netns/$(fleet_ns "$i")" dockerd --config-file "$config" \
    >>"$dir/dockerd.log" 2>&1 </dev/null 9>&- &)
}

wait_fleet_engine() {
  local i="$1" n
  for ((n = 0; n < 120; n++)); do
    fleet_engine_answers "$i" && return 0
    sleep 0.25
  done
  die "dockerd of fleet host $i did not answer within 30 s:
$(log_tail "$(fleet_dir "$i")/dockerd.log")"
}

fleet_sshd_config() {
  local i="$1" dir
  dir="$(fleet_dir "$i")"
  cat <<CONF
# Written by scripts/setup; changes here are overwritten.
Port $FLEET_SSH_PORT
ListenAddress $(fleet_addr "$i")
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AllowUsers $(fleet_user "$i")
SetEnv DOCKER_HOST=unix://$(fleet_socket "$i")
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
PrintMotd no
MaxStartups 200:30:400
MaxSessions 100
MaxAuthTries 3
Subsystem sftp internal-sftp
CONF
}

ensure_fleet_sshd() {
  local i="$1" dir restart=0
  dir="$(fleet_dir "$i")"
  if [[ ! -f "$dir/ssh_host_ed25519_key" ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "powertrain-fleet-$i" -f "$dir/ssh_host_ed25519_key"
    restart=1
  fi
  write_if_changed "$dir/sshd_config" "$(fleet_sshd_config "$i")" && restart=1
  if pid_alive "$dir/sshd.pid" "$dir/sshd_config"; then
    ((restart == 0)) && return 0
    stop_pidfile "$dir/sshd.pid" "$dir/sshd_config"
  fi
  progress "starting sshd of fleet host $i on $(fleet_addr "$i"):$FLEET_SSH_PORT"
  mkdir -p /run/sshd
  "$SSHD" -t -f "$dir/sshd_config" || die "sshd rejects $dir/sshd_config"
  # -r: no re-exec (see ssh.sh). Inside the namespace, so it can listen on the namespace address.
  nsenter --net="/var/run/netns/$(fleet_ns "$i")" "$SSHD" -r -f "$dir/sshd_config" -E "$dir/sshd.log" \
    </dev/null 9>&- || die "sshd of fleet host $i failed to start:
$(log_tail "$dir/sshd.log")"
}

# The registry at the bridge address, and each host's sshd again on 127.0.0.1:(5400+i): proxies a
# test can add toxics to (latency, bandwidth, timeout) or disable (a cut link).
toxiproxy_config() {
  local n="$1" i out
  out="[{\"name\":\"registry\",\"listen\":\"$FLEET_REGISTRY\",\"upstream\":\"$REGISTRY_ADDR\",\"enabled\":true}"
  for ((i = 1; i <= n; i++)); do
    out+=",{\"name\":\"ssh-$i\",\"listen\":\"127.0.0.1:$((FLEET_PROXY_BASE + i))\",\"upstream\":\"$(fleet_addr "$i"):$FLEET_SSH_PORT\",\"enabled\":true}"
  done
  echo "$out]"
}

ensure_toxiproxy() {
  local n="$1" config="$FLEET_DIR/toxiproxy.json" i
  if write_if_changed "$config" "$(toxiproxy_config "$n")"; then stop_pidfile "$TOXIPROXY_PID" toxiproxy-server; fi
  if pid_alive "$TOXIPROXY_PID" toxiproxy-server; then
    # Tests reset their toxics; a run killed half-way may have left some: reset makes all clean again.
    node -e 'fetch(process.argv[1], { method: "POST" }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "http://$TOXIPROXY_API/reset" && return 0
    stop_pidfile "$TOXIPROXY_PID" toxiproxy-server
  fi
  progress "starting toxiproxy (API $TOXIPROXY_API, registry for the fleet on $FLEET_REGISTRY)"
  setsid "$TOXIPROXY_BIN" -host "${TOXIPROXY_API%:*}" -port "${TOXIPROXY_API#*:}" -config "$config" \
    >>"$TOXIPROXY_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$TOXIPROXY_PID"
  disown
  for ((i = 0; i < 40; i++)); do
    [[ "$(http_status "http://$FLEET_REGISTRY/v2/")" == 401 ]] && return 0
    sleep 0.25
  done
  die "toxiproxy did not forward $FLEET_REGISTRY to the registry:
$(log_tail "$TOXIPROXY_LOG")"
}

write_fleet_known_hosts() {
  local n="$1" i key content=""
  for ((i = 1; i <= n; i++)); do
    key="$(cut -d' ' -f1,2 "$(fleet_dir "$i")/ssh_host_ed25519_key.pub")"
    content+="$(fleet_addr "$i") $key"$'\n'"[127.0.0.1]:$((FLEET_PROXY_BASE + i)) $key"$'\n'
  done
  write_if_changed "$FLEET_KNOWN_HOSTS" "${content%$'\n'}" || true
}

verify_fleet_host() {
  local i="$1" out="" n
  for ((n = 0; n < 20; n++)); do
    out="$(ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes \
      -o "UserKnownHostsFile=$FLEET_KNOWN_HOSTS" -o ConnectTimeout=5 -i "$SSH_KEY" -p "$FLEET_SSH_PORT" \
      "$(fleet_user "$i")@$(fleet_addr "$i")" docker info --format '{{.ID}}' 2>&1)" && return 0
    sleep 0.25
  done
  die "ssh to fleet host $i (docker info) failed: $out
$(log_tail "$(fleet_dir "$i")/sshd.log")"
}

# Without root, setup can only check: every host's engine and sshd, and Toxiproxy, run.
fleet_all_up() {
  local n="$1" i
  [[ "$(fleet_running_hosts | wc -l)" -eq "$n" ]] || return 1
  for ((i = 1; i <= n; i++)); do
    pid_alive "$FLEET_RUN/h$i/dockerd.pid" "$(fleet_dir "$i")/daemon.json" || return 1
    pid_alive "$(fleet_dir "$i")/sshd.pid" "$(fleet_dir "$i")/sshd_config" || return 1
  done
  pid_alive "$TOXIPROXY_PID" toxiproxy-server
}

ensure_fleet() {
  local n i
  n="$(fleet_count)"
  if ! is_root && [[ -z "${FLEET_REQUEST:-}" ]] && fleet_all_up "$n"; then return 0; fi
  need_root "the fleet (network namespaces)"
  command -v ip >/dev/null || die "the fleet needs ip (install iproute2)"
  mkdir -p "$FLEET_DIR" "$FLEET_RUN" "$SERVICES_DIR"
  [[ -n "${FLEET_REQUEST:-}" ]] && echo "$n" >"$FLEET_DIR/count"
  # Hosts beyond the count (a smaller --fleet than before) go.
  for i in $(fleet_running_hosts); do ((i > n)) && stop_fleet_host "$i"; done
  ensure_toxiproxy_binary
  ensure_fleet_bridge
  for ((i = 1; i <= n; i++)); do
    ensure_fleet_user "$i"
    ensure_fleet_netns "$i"
    start_fleet_engine "$i"
  done
  local -a pids=()
  for ((i = 1; i <= n; i++)); do
    wait_fleet_engine "$i" &
    pids+=($!)
  done
  wait_pids engines "${pids[@]}"
  for ((i = 1; i <= n; i++)); do ensure_fleet_sshd "$i"; done
  write_fleet_known_hosts "$n"
  ensure_toxiproxy "$n"
  pids=()
  for ((i = 1; i <= n; i++)); do
    verify_fleet_host "$i" &
    pids+=($!)
  done
  wait_pids "ssh logins" "${pids[@]}"
}

# wait_pids WHAT PID…: fails when one of them did (its die() printed why).
wait_pids() {
  local what="$1" failed=0 pid
  shift
  for pid in "$@"; do wait "$pid" || failed=1; done
  ((failed == 0)) || die "fleet: some $what did not come up (see above)"
}

fleet_running_hosts() {
  ip netns list 2>/dev/null | awk '{print $1}' | sed -n 's/^pt-fleet-\([0-9]\+\)$/\1/p' | sort -n
}

stop_fleet_host() {
  local i="$1" dir
  dir="$(fleet_dir "$i")"
  progress "stopping fleet host $i"
  stop_pidfile "$dir/sshd.pid" "$dir/sshd_config"
  stop_pidfile "$FLEET_RUN/h$i/dockerd.pid" "$dir/daemon.json"
  ip netns del "$(fleet_ns "$i")" 2>/dev/null || true
  ip link del "pt-fleet-v$i" 2>/dev/null || true
}

stop_fleet() {
  local i
  local -a pids=()
  for i in $(fleet_running_hosts); do
    stop_fleet_host "$i" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
  if pid_alive "$TOXIPROXY_PID" toxiproxy-server; then
    progress "stopping toxiproxy"
    stop_pidfile "$TOXIPROXY_PID" toxiproxy-server
  fi
  if ip link show "$FLEET_BRIDGE" >/dev/null 2>&1; then
    progress "removing bridge $FLEET_BRIDGE"
    ip link del "$FLEET_BRIDGE"
  fi
}

status_fleet() {
  local i hosts
  hosts="$(fleet_running_hosts)"
  if [[ -z "$hosts" ]]; then
    echo "fleet      no hosts"
  fi
  for i in $hosts; do
    local engine="down" sshd="down"
    pid_alive "$FLEET_RUN/h$i/dockerd.pid" "$(fleet_dir "$i")/daemon.json" && engine="running"
    # The engine's ID, when this user may read its socket (root, or the host's deploy user).
    fleet_engine_answers "$i" && engine="up (ID $(docker -H "unix://$(fleet_socket "$i")" info --format '{{.ID}}' | cut -c1-14)…)"
    pid_alive "$(fleet_dir "$i")/sshd.pid" "$(fleet_dir "$i")/sshd_config" && sshd="up"
    echo "fleet $i    $(fleet_user "$i")@$(fleet_addr "$i"):$FLEET_SSH_PORT  dockerd $engine  sshd $sshd"
  done
  if pid_alive "$TOXIPROXY_PID" toxiproxy-server; then
    echo "toxiproxy  running (API $TOXIPROXY_API, registry for the fleet on $FLEET_REGISTRY)"
  else
    echo "toxiproxy  not running"
  fi
}

# For the test env file: user@address:port of every host, and each engine's socket (tests look at
# an engine directly to check what a deploy left there).
fleet_hosts_list() {
  local i out=()
  for i in $(fleet_running_hosts); do out+=("$(fleet_user "$i")@$(fleet_addr "$i"):$FLEET_SSH_PORT"); done
  (IFS=,; echo "${out[*]}")
}
fleet_sockets_list() {
  local i out=()
  for i in $(fleet_running_hosts); do out+=("unix://$(fleet_socket "$i")"); done
  (IFS=,; echo "${out[*]}")
}
