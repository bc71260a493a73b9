# shellcheck shell=sh
# The one host-side state directory: locks, deploy history, canary and idle records, router state.
# shellcheck disable=SC2034 # used by the scripts that include this file
PT_STATE="${HOME:-/tmp}/.powertrain"
