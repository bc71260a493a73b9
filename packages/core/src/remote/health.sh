#!/bin/sh
# The health gate on its own (a rollback's restarted containers). Caller: deploy/health.ts waitHealthy.
# Arguments: see lib/health.sh.
# shellcheck source=lib/health.sh
. ./lib/health.sh
health "$@"
