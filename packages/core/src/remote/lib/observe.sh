# shellcheck shell=sh
# observe APP ENV IMAGE HISTORY SCOPE: one `docker inspect` of every container (this app's, and
# everyone's port bindings) and of IMAGE, the ports listened on, and the app's deploy history, as
# @@sections. The app's containers are picked out by label when parsing (deploy/observe.ts).
observe() {
  echo @@inspect
  # shellcheck disable=SC2046 # one word per container id
  docker inspect $(docker ps -aq --no-trunc) "$3" 2>/dev/null
  echo
  echo @@tcp
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null
  echo @@udp
  cat /proc/net/udp /proc/net/udp6 2>/dev/null
  echo @@history
  cat "$PT_STATE/$4" 2>/dev/null
  return 0
}
