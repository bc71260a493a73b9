#!/bin/sh
# Make a new upstream file live. Caller: router/nginx.ts NginxRouter.apply.
# $1 upstream file, $2 nginx binary, $3 main config ("" = nginx's default), then the reload command
# ("" = `nginx -s reload`). The new file arrives on stdin and is written beside the target and
# renamed over it (atomic: nginx never reads half a file); `nginx -T` validates the whole
# configuration; on failure the previous file comes back. Exit 3 = invalid, 4 = reload failed.
# A reload is asynchronous: old workers keep accepting for a moment and finish their requests with
# the old upstream. The script returns once only new workers run (every request now sees the new
# set), at most 5 s later. Once the file no longer logs (the canary is over), its access log
# (<upstream>.access.log beside it) is removed: nothing writes it any more.
f=$1 nginx=$2 conf=$3; shift 3
dir=${f%/*}
mkdir -p "$dir" || exit 1
tmp="$dir/.${f##*/}.$$.tmp"
cat > "$tmp" || { rm -f "$tmp"; exit 1; }
had=0
if [ -f "$f" ]; then cp -p "$f" "$f.prev" || { rm -f "$tmp"; exit 1; }; had=1; fi
restore() { if [ $had = 1 ]; then mv -f "$f.prev" "$f"; else rm -f "$f"; fi; }
mv -f "$tmp" "$f" || { rm -f "$tmp"; exit 1; }
ng() { if [ -n "$conf" ]; then "$nginx" "$@" -c "$conf"; else "$nginx" "$@"; fi; }
if ! dump=$(ng -T 2>&1); then restore; printf '%s\n' "$dump" | grep -v '^#' | grep -iE 'emerg|error|failed' | head -n 5; exit 3; fi
pidfile=$(printf '%s\n' "$dump" | sed -n 's/^[[:space:]]*pid[[:space:]][[:space:]]*\([^;]*\);.*/\1/p' | head -n 1)
master=$(cat "${pidfile:-/run/nginx.pid}" 2>/dev/null)
workers() { for s in /proc/[0-9]*/stat; do read -r p _ _ pp _ < "$s" 2>/dev/null && [ "$pp" = "$1" ] && echo "$p"; done; }
before=" $( [ -n "$master" ] && workers "$master" | tr '\n' ' ')"
if [ "$#" -gt 0 ] && [ -n "$1" ]; then out=$("$@" 2>&1); else out=$(ng -s reload 2>&1); fi ||
  { restore; printf '%s\n' "$out"; exit 4; }
rm -f "$f.prev"
grep -q '^access_log ' "$f" || rm -f "${f%.conf}.access.log"
[ -n "$master" ] || exit 0
i=0
while [ $i -lt 250 ]; do
  fresh=0 old=0
  for w in $(workers "$master"); do case "$before" in *" $w "*) old=1 ;; *) fresh=1 ;; esac; done
  [ $fresh = 1 ] && [ $old = 0 ] && exit 0
  sleep 0.02; i=$((i + 1))
done
echo "nginx still runs workers of the previous configuration 5 s after the reload" >&2
exit 0
