# shellcheck shell=sh
# health [NAME=VALUE…] -- CONTAINER… [-- COMMAND…]: the health gate (deploy/health.ts owns the contract).
#   timeout=S        give up after S seconds
#   interval=S       steady poll interval (the first rounds are quicker)
#   mode=M           http | tcp | command | image | running
#   path=P           http path
#   port=N           container port probed by http and tcp
#   settle=S         mode running: healthy when still running after S seconds
#   probe-timeout=S  one probe's time limit
# http/tcp are checked from the host against the container's own address (not the published port:
# docker's userland proxy accepts connections for ports nobody listens on yet) with the first tool
# the host has: bash's /dev/tcp, curl, wget, python3 (nc for tcp). Prints "healthy NAME" lines; on
# failure "FAIL NAME reason" and exit 1 (2 for a bad call or a host without a probe tool).
health() {
timeout="" interval=0.25 mode="" path=/ port=0 settle=1 ptimeout=2
while [ $# -gt 0 ]; do
  case $1 in
  --) shift; break ;;
  timeout=*) timeout=${1#*=} ;;
  interval=*) interval=${1#*=} ;;
  mode=*) mode=${1#*=} ;;
  path=*) path=${1#*=} ;;
  port=*) port=${1#*=} ;;
  settle=*) settle=${1#*=} ;;
  probe-timeout=*) ptimeout=${1#*=} ;;
  *) echo "FAIL - health: unknown option $1"; exit 2 ;;
  esac
  shift
done
case $mode in http | tcp | command | image | running) ;; *) echo "FAIL - health: mode $mode"; exit 2 ;; esac
[ -n "$timeout" ] || { echo "FAIL - health: no timeout"; exit 2; }
names=""
while [ $# -gt 0 ] && [ "$1" != -- ]; do names="$names $1"; shift; done
[ "${1:-}" = -- ] && shift
probe=""
if [ "$mode" = http ] || [ "$mode" = tcp ]; then
  for t in bash curl wget python3 nc; do
    if command -v "$t" >/dev/null 2>&1; then probe=$t; break; fi
  done
  [ "$mode" = http ] && [ "$probe" = nc ] && probe=""
  if [ -z "$probe" ]; then echo "FAIL - no probe tool on the host (need bash, curl, wget or python3)"; exit 2; fi
fi
tmo=""
command -v timeout >/dev/null 2>&1 && tmo="timeout $ptimeout"
check_http() {
  case $probe in
  bash) $tmo bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" "$2" "$0" >&3
    read -r -t "$3" proto code rest <&3 || exit 1
    case $code in [23][0-9][0-9]) exit 0 ;; esac
    exit 1' "$1" "$2" "$path" "$ptimeout" 2>/dev/null ;;
  curl) curl -fsS -o /dev/null -m "$ptimeout" "http://$1:$2$path" 2>/dev/null ;;
  # No redirect is followed: it could lead to any host.
  wget) wget -q -O /dev/null -T "$ptimeout" --max-redirect=0 "http://$1:$2$path" 2>/dev/null ;;
  python3) python3 -c 'import sys, urllib.request
urllib.request.urlopen("http://%s:%s%s" % tuple(sys.argv[1:4]), timeout=float(sys.argv[4]))' "$1" "$2" "$path" "$ptimeout" 2>/dev/null ;;
  esac
}
check_tcp() {
  case $probe in
  bash) $tmo bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null ;;
  python3) python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), float(sys.argv[3]))' "$1" "$2" "$ptimeout" 2>/dev/null ;;
  # telnet:// waits for data until -m: a timeout after connecting is healthy, before it is not.
  curl) t=$(curl -s -o /dev/null -m "$ptimeout" -w '%{time_connect}' "telnet://$1:$2" </dev/null 2>/dev/null)
    case ${t:-0} in 0 | 0.000000) false ;; *) true ;; esac ;;
  *) nc -z -w "$ptimeout" "$1" "$2" 2>/dev/null ;;
  esac
}
start=$(date +%s)
healthy=""
probes=""
round=0
while :; do
  now=$(date +%s)
  elapsed=$((now - start))
  # A probe is cheap and docker inspect is not: the first look's states and addresses serve the
  # quick first rounds of http and tcp probes; from then on every round looks (exits show there).
  look=1
  case $mode in http | tcp) [ "$round" -gt 0 ] && [ "$round" -lt 8 ] && look=0 ;; esac
  # shellcheck disable=SC2086 # one word per container name
  [ $look = 1 ] && { info=$(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' $names) || { echo "FAIL - docker inspect failed"; exit 1; }; }
  pending=""
  while read -r cname status health ip rest; do
    cname=${cname#/}
    case " $healthy " in *" $cname "*) continue ;; esac
    case $status in exited | dead) echo "FAIL $cname exited"; exit 1 ;; esac
    ok=1
    if [ "$status" != running ]; then
      ok=0
    else
      # No address yet (e.g. still attaching to its network): not healthy yet. 127.0.0.1 could reach
      # the old instance on the host and pass for the new one.
      [ -n "$ip" ] || case $mode in http | tcp) pending="$pending $cname"; continue ;; esac
      case $mode in
      image)
        [ "$health" = unhealthy ] && { echo "FAIL $cname reported unhealthy by its HEALTHCHECK"; exit 1; }
        [ "$health" = healthy ] || ok=0 ;;
      # Probes of all pending containers run side by side; their results are collected below.
      http | tcp) "check_$mode" "$ip" "$port" & probes="$probes $!:$cname"; continue ;;
      command)
        # shellcheck disable=SC2086 # $tmo is "timeout N" or nothing
        $tmo docker exec "$cname" "$@" >/dev/null 2>&1 || ok=0 ;;
      running) [ "$elapsed" -ge "$settle" ] || ok=0 ;;
      esac
    fi
    if [ $ok = 1 ]; then healthy="$healthy $cname"; echo "healthy $cname"; else pending="$pending $cname"; fi
  done <<PT_INFO
$info
PT_INFO
  for p in $probes; do
    cname=${p#*:}
    if wait "${p%%:*}"; then healthy="$healthy $cname"; echo "healthy $cname"; else pending="$pending $cname"; fi
  done
  probes=""
  [ -z "$pending" ] && exit 0
  if [ "$elapsed" -ge "$timeout" ]; then
    for c in $pending; do echo "FAIL $c not healthy after ${timeout}s"; done
    exit 1
  fi
  # Quick at first (a small app answers within tenths of a second), then every $interval.
  case $round in 0 | 1 | 2 | 3) pause=0.02 ;; 4 | 5) pause=0.05 ;; 6 | 7) pause=0.1 ;; *) pause=$interval ;; esac
  round=$((round + 1))
  sleep "$pause"
done
}
