# shellcheck shell=sh
# record FILE LINE: append LINE to the history FILE (under $PT_STATE), keep the last 50 lines.
record() {
  mkdir -p "$PT_STATE" && printf '%s\n' "$2" >> "$PT_STATE/$1"
  tail -n 50 "$PT_STATE/$1" > "$PT_STATE/$1.tmp" && mv "$PT_STATE/$1.tmp" "$PT_STATE/$1"
}
