/**
 * The POSIX sh scripts the deploy runs on a host, one ssh round trip each.
 * They are constant text run as `sh -c SCRIPT sh ARG…`: values arrive as
 * positional parameters (quoted by shellCommand on the way), never spliced in.
 * The host needs only sh, coreutils-ish tools and docker.
 */

/**
 * $1 app, $2 environment, $3 image ref, $4 history file (relative to
 * ~/.powertrain), $5 host scope or "". One `docker inspect` of every container
 * (this app's, and everyone's port bindings) and of the image; the app's
 * containers are picked out by label when parsing.
 */
export const OBSERVE = `
app=$1 env=$2 image=$3 hist=$4 scope=$5
echo @@inspect
docker inspect $(docker ps -aq --no-trunc) "$image" 2>/dev/null
echo
echo @@tcp
cat /proc/net/tcp /proc/net/tcp6 2>/dev/null
echo @@udp
cat /proc/net/udp /proc/net/udp6 2>/dev/null
echo @@history
cat "\${HOME:-/tmp}/.powertrain/$hist" 2>/dev/null
exit 0
`;

/** record FILE LINE: append LINE to the history FILE (relative to ~/.powertrain), keep the last 50. */
const RECORD_FUNCTION = `
record() {
  d="\${HOME:-/tmp}/.powertrain"
  mkdir -p "$d" && printf '%s\\n' "$2" >> "$d/$1"
  tail -n 50 "$d/$1" > "$d/$1.tmp" && mv "$d/$1.tmp" "$d/$1"
}
`;

/**
 * $1 lock name (under ~/.powertrain/locks), $2 owner text, $3 stale after (s), $4 wait at most (s).
 * mkdir is the atomic step; a lock whose heartbeat is older than $3 belongs to
 * a killed deploy and is taken over (under a short second lock, so two waiters
 * cannot both take it over).
 */
const LOCK_BODY = `
lock="\${HOME:-/tmp}/.powertrain/locks/$1" owner=$2 stale=$3 timeout=$4
mtime() { stat -c %Y "$1" 2>/dev/null || date -r "$1" +%s 2>/dev/null || echo 0; }
beat() { hb=$(mtime "$lock/heartbeat"); [ "$hb" = 0 ] && hb=$(mtime "$lock"); echo "$hb"; }
start=""
while :; do
  # Free and uncontended (the usual case) costs one mkdir; the parent is made only when missing.
  if mkdir "$lock" 2>/dev/null || { [ ! -d "\${lock%/*}" ] && mkdir -p "\${lock%/*}" && mkdir "$lock" 2>/dev/null; }; then
    printf '%s\\n' "$owner" > "$lock/owner" && : > "$lock/heartbeat" || exit 1
    echo ACQUIRED
    break
  fi
  [ -d "\${lock%/*}" ] || exit 1
  now=$(date +%s)
  [ -n "$start" ] || start=$now
  hb=$(beat)
  if [ "$hb" != 0 ] && [ $((now - hb)) -ge "$stale" ]; then
    if mkdir "$lock.takeover" 2>/dev/null; then
      hb=$(beat)
      if [ "$hb" != 0 ] && [ $((now - hb)) -ge "$stale" ]; then
        echo "STALE $(tr '\\n' ' ' < "$lock/owner" 2>/dev/null)(no heartbeat for $((now - hb))s)"
        rm -rf "$lock"
      fi
      rmdir "$lock.takeover"
      continue
    fi
    tk=$(mtime "$lock.takeover")
    [ "$tk" != 0 ] && [ $((now - tk)) -ge 10 ] && rmdir "$lock.takeover" 2>/dev/null
  fi
  if [ $((now - start)) -ge "$timeout" ]; then
    echo "TIMEOUT $(tr '\\n' ' ' < "$lock/owner" 2>/dev/null)"
    exit 3
  fi
  sleep 0.2
done
`;

export const LOCK = `${LOCK_BODY}exit 0\n`;

/** LOCK, then (once acquired, same round trip) OBSERVE with the arguments after the lock's four. */
export const LOCK_AND_OBSERVE = `${LOCK_BODY}echo @@observe\nshift 4\n${OBSERVE}`;

const LOCK_DIR = 'l="${HOME:-/tmp}/.powertrain/locks/$1"';

/** $1 lock name, $2 deploy id: refresh the heartbeat, only while the lock is ours. */
export const HEARTBEAT = `${LOCK_DIR}; grep -qxF "deploy-id: $2" "$l/owner" 2>/dev/null && touch "$l/heartbeat"`;

/**
 * $1 lock name, $2 deploy id, optionally $3 history file and $4 a line to
 * record first (one round trip for the end of a deploy): release, only if still ours.
 */
export const UNLOCK = `${RECORD_FUNCTION}[ -n "$3" ] && record "$3" "$4"
${LOCK_DIR}; grep -qxF "deploy-id: $2" "$l/owner" 2>/dev/null && rm -rf "$l"; exit 0`;

/**
 * $1 image ref, $2 registry host. Credentials (a docker config.json) arrive on
 * stdin into a private temp DOCKER_CONFIG that is removed right after.
 */
export const PULL_WITH_AUTH = `
umask 077
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
cat > "$d/config.json"
DOCKER_CONFIG=$d docker pull -q "$1"
`;

/**
 * Health gate, run on the host. $1 timeout (s), $2 steady poll interval (s), $3 mode
 * (http|tcp|command|image|running), $4 http path, $5 container port, $6 settle
 * time (s) for mode running, $7 probe timeout (s), $8 N, then N container
 * names, then the command for mode command.
 * http/tcp are checked from the host against the container's own address
 * (not the published port: docker's userland proxy accepts connections for
 * ports nobody listens on yet) with the first tool the host has: bash's
 * /dev/tcp, curl, wget, python3 (nc for tcp). Prints "healthy NAME" lines;
 * on failure "FAIL NAME reason" and exit 1.
 */
export const HEALTH = `
timeout=$1 interval=$2 mode=$3 path=$4 port=$5 settle=$6 ptimeout=$7 n=$8
shift 8
names=""
while [ "$n" -gt 0 ]; do names="$names $1"; shift; n=$((n - 1)); done
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
    printf "GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n" "$2" "$0" >&3
    read -r -t "$3" proto code rest <&3 || exit 1
    case $code in [23][0-9][0-9]) exit 0 ;; esac
    exit 1' "$1" "$2" "$path" "$ptimeout" 2>/dev/null ;;
  curl) curl -fsS -o /dev/null -m "$ptimeout" "http://$1:$2$path" 2>/dev/null ;;
  wget) wget -q -O /dev/null -T "$ptimeout" "http://$1:$2$path" 2>/dev/null ;;
  python3) python3 -c 'import sys, urllib.request
urllib.request.urlopen("http://%s:%s%s" % tuple(sys.argv[1:4]), timeout=float(sys.argv[4]))' "$1" "$2" "$path" "$ptimeout" 2>/dev/null ;;
  esac
}
check_tcp() {
  case $probe in
  bash) $tmo bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null ;;
  python3) python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), float(sys.argv[3]))' "$1" "$2" "$ptimeout" 2>/dev/null ;;
  curl) curl -s -o /dev/null -m "$ptimeout" "telnet://$1:$2" </dev/null 2>/dev/null; [ $? -ne 7 ] ;;
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
  [ $look = 1 ] && { info=$(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' $names) || { echo "FAIL - docker inspect failed"; exit 1; }; }
  pending=""
  while read -r cname status health ip rest; do
    cname=\${cname#/}
    case " $healthy " in *" $cname "*) continue ;; esac
    case $status in exited | dead) echo "FAIL $cname exited"; exit 1 ;; esac
    ok=1
    if [ "$status" != running ]; then
      ok=0
    else
      [ -n "$ip" ] || ip=127.0.0.1
      case $mode in
      image)
        [ "$health" = unhealthy ] && { echo "FAIL $cname reported unhealthy by its HEALTHCHECK"; exit 1; }
        [ "$health" = healthy ] || ok=0 ;;
      # Probes of all pending containers run side by side; their results are collected below.
      http | tcp) check_$mode "$ip" "$port" & probes="$probes $!:$cname"; continue ;;
      command) docker exec "$cname" "$@" >/dev/null 2>&1 || ok=0 ;;
      running) [ "$elapsed" -ge "$settle" ] || ok=0 ;;
      esac
    fi
    if [ $ok = 1 ]; then healthy="$healthy $cname"; echo "healthy $cname"; else pending="$pending $cname"; fi
  done <<PT_INFO
$info
PT_INFO
  for p in $probes; do
    cname=\${p#*:}
    if wait "\${p%%:*}"; then healthy="$healthy $cname"; echo "healthy $cname"; else pending="$pending $cname"; fi
  done
  probes=""
  [ -z "$pending" ] && exit 0
  if [ "$elapsed" -ge "$timeout" ]; then
    for c in $pending; do echo "FAIL $c not healthy after \${timeout}s"; done
    exit 1
  fi
  # Quick at first (a small app answers within tenths of a second), then every $interval.
  case $round in 0 | 1 | 2 | 3) pause=0.02 ;; 4 | 5) pause=0.05 ;; 6 | 7) pause=0.1 ;; *) pause=$interval ;; esac
  round=$((round + 1))
  sleep "$pause"
done
`;

/**
 * Start the new instances in parallel. The env payload arrives on stdin (see
 * envPayload): it fills $__pt_envfile, piped to each `docker run --env-file
 * /dev/stdin`, so values are never in argv (ps) nor on disk.
 */
function startScript(dockerRunCommands: string[]): string {
  const lines = ['eval "$(cat)"', "rc=0", 'pids=""'];
  for (const cmd of dockerRunCommands) {
    lines.push(`printf '%s' "$__pt_envfile" | ${cmd} >/dev/null & pids="$pids $!"`);
  }
  lines.push('for p in $pids; do wait "$p" || rc=1; done', 'exit "$rc"');
  return lines.join("\n");
}

/** Printed once every new instance has started, before the health gate's lines. */
export const STARTED = "@@started";

/**
 * startScript, then (once every instance started; same round trip) HEALTH with
 * its arguments. The start runs in a subshell: the env payload's exports stay there.
 */
export function startThenHealthScript(dockerRunCommands: string[]): string {
  return `(\n${startScript(dockerRunCommands)}\n) || exit 1\necho ${STARTED}\n${HEALTH}`;
}

/** $1 history file (relative to ~/.powertrain), $2 the line to append. */
export const RECORD_HISTORY = `${RECORD_FUNCTION}record "$1" "$2"\n`;
