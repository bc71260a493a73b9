#!/bin/sh
# Append a line to an app's deploy history. Caller: deploy/observe.ts recordHistory.
# $1 history file (under the state dir), $2 the line.
# shellcheck source=lib/state.sh
. ./lib/state.sh
# shellcheck source=lib/record.sh
. ./lib/record.sh
record "$1" "$2"
