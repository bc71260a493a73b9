# The deploy user and one sshd per "host" address, so tests can deploy to several hosts on one machine.
# shellcheck shell=bash

SSH_USER="ptdeploy"
SSH_PORT=2222
SSH_HOSTS=(127.0.0.1 127.0.0.2)
SSH_DIR="$TMP_DIR/ssh"
SSH_KEY="$SSH_DIR/id_ed25519"
SSH_KNOWN_HOSTS="$SSH_DIR/known_hosts"
SSHD=/usr/sbin/sshd

ensure_deploy_user() {
  if ! getent passwd "$SSH_USER" >/dev/null; then
    need_root "creating user $SSH_USER"
    progress "creating deploy user $SSH_USER (group docker)"
    useradd --create-home --shell /bin/bash --groups docker "$SSH_USER"
  fi
  if ! id -nG "$SSH_USER" | tr ' ' '\n' | grep -qx docker; then
    need_root "adding $SSH_USER to group docker"
    progress "adding $SSH_USER to group docker"
    usermod -aG docker "$SSH_USER"
  fi
  # With UsePAM no, sshd refuses accounts whose password field starts with "!" (locked); "*" allows
  # key logins while no password can ever match.
  if is_root && [[ "$(getent shadow "$SSH_USER" | cut -d: -f2)" == '!'* ]]; then
    usermod -p '*' "$SSH_USER"
  fi

  mkdir -p "$SSH_DIR"
  chmod 700 "$SSH_DIR"
  if [[ ! -f "$SSH_KEY" ]]; then
    progress "generating client key ${SSH_KEY#"$ROOT/"}"
    ssh-keygen -q -t ed25519 -N '' -C "powertrain-test" -f "$SSH_KEY"
  fi
  chmod 600 "$SSH_KEY"

  local home
  home="$(getent passwd "$SSH_USER" | cut -d: -f6)"
  if ! cmp -s "$SSH_KEY.pub" "$home/.ssh/authorized_keys"; then
    need_root "installing the authorized key of $SSH_USER"
    progress "installing authorized key for $SSH_USER"
    install -d -m 700 -o "$SSH_USER" -g "$SSH_USER" "$home/.ssh"
    install -m 600 -o "$SSH_USER" -g "$SSH_USER" "$SSH_KEY.pub" "$home/.ssh/authorized_keys"
  fi
}

ensure_loopback_address() {
  node -e '
    const server = require("node:net").createServer();
    server.once("error", () => process.exit(1));
    server.listen(0, process.argv[1], () => server.close());
  ' "$1" || die "cannot listen on $1; on Linux all of 127.0.0.0/8 is loopback — is the lo interface up?"
}

sshd_config() {
  local addr="$1" dir="$SSH_DIR/$1"
  cat <<CONF
# Written by scripts/setup; changes here are overwritten.
Port $SSH_PORT
ListenAddress $addr
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AllowUsers $SSH_USER
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
PrintMotd no
# Tests open many connections and multiplexed sessions at once.
MaxStartups 200:30:400
MaxSessions 100
MaxAuthTries 3
# No AcceptEnv: the client's environment never reaches the deploy host.
Subsystem sftp internal-sftp
CONF
}

ensure_sshd() {
  local addr="$1" dir="$SSH_DIR/$1" restart=0
  local pidfile="$dir/sshd.pid" log="$SERVICES_DIR/sshd-$1.log"
  mkdir -p "$dir" "$SERVICES_DIR"
  if [[ ! -f "$dir/ssh_host_ed25519_key" ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "powertrain-test-$addr" -f "$dir/ssh_host_ed25519_key"
    restart=1
  fi
  write_if_changed "$dir/sshd_config" "$(sshd_config "$addr")" && restart=1
  if pid_alive "$pidfile" "$dir/sshd_config"; then
    ((restart == 0)) && return 0
    progress "restarting sshd on $addr:$SSH_PORT (configuration changed)"
    stop_pidfile "$pidfile" "$dir/sshd_config"
  else
    need_root "starting sshd"
    ensure_loopback_address "$addr"
    progress "starting sshd on $addr:$SSH_PORT (log: ${log#"$ROOT/"})"
  fi
  mkdir -p /run/sshd # privilege separation directory, normally made by the init script
  "$SSHD" -t -f "$dir/sshd_config" || die "sshd rejects $dir/sshd_config"
  # -r: no re-exec (the re-exec'd child dies silently on these machines). sshd daemonizes itself.
  "$SSHD" -r -f "$dir/sshd_config" -E "$log" </dev/null 9>&- || die "sshd on $addr failed to start:
$(log_tail "$log")"
}

write_known_hosts() {
  local content="" addr
  for addr in "${SSH_HOSTS[@]}"; do
    content+="[$addr]:$SSH_PORT $(cut -d' ' -f1,2 "$SSH_DIR/$addr/ssh_host_ed25519_key.pub")"$'\n'
  done
  write_if_changed "$SSH_KNOWN_HOSTS" "${content%$'\n'}" || true
}

ssh_options() {
  printf '%s\n' -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes \
    -o "UserKnownHostsFile=$SSH_KNOWN_HOSTS" -o ConnectTimeout=5 -i "$SSH_KEY" -p "$SSH_PORT"
}

# A real login with host-key checking on, running docker as the deploy user.
verify_ssh() {
  local addr="$1" i out=""
  local -a opts
  mapfile -t opts < <(ssh_options)
  for ((i = 0; i < 20; i++)); do
    if out="$(ssh "${opts[@]}" "$SSH_USER@$addr" docker version --format '{{.Server.Version}}' 2>&1)"; then
      return 0
    fi
    sleep 0.25
  done
  die "ssh $SSH_USER@$addr:$SSH_PORT docker version failed: $out
  sshd log:
$(log_tail "$SERVICES_DIR/sshd-$addr.log")"
}

ensure_ssh() {
  ensure_deploy_user
  local addr
  for addr in "${SSH_HOSTS[@]}"; do ensure_sshd "$addr"; done
  write_known_hosts
  for addr in "${SSH_HOSTS[@]}"; do verify_ssh "$addr"; done
}

stop_ssh() {
  local addr
  for addr in "${SSH_HOSTS[@]}"; do
    if pid_alive "$SSH_DIR/$addr/sshd.pid" "$SSH_DIR/$addr/sshd_config"; then
      progress "stopping sshd on $addr:$SSH_PORT"
      stop_pidfile "$SSH_DIR/$addr/sshd.pid" "$SSH_DIR/$addr/sshd_config"
    fi
  done
}

status_ssh() {
  local addr
  for addr in "${SSH_HOSTS[@]}"; do
    if pid_alive "$SSH_DIR/$addr/sshd.pid" "$SSH_DIR/$addr/sshd_config"; then
      echo "sshd       running on $addr:$SSH_PORT (pid $(cat "$SSH_DIR/$addr/sshd.pid"))"
    else
      echo "sshd       not running on $addr:$SSH_PORT"
    fi
  done
}
