#!/bin/sh
# A Swarm service, its tasks and the nodes, as @@sections. Caller: swarm/service.ts observeService.
# $1 service name.
echo @@service
docker service inspect "$1" 2>/dev/null
echo
echo @@tasks
ids=$(docker service ps -q --no-trunc "$1" 2>/dev/null)
# shellcheck disable=SC2086 # one word per task id
[ -n "$ids" ] && docker inspect $ids 2>/dev/null
echo
echo @@nodes
docker node ls --format '{{.ID}} {{.Hostname}}' 2>/dev/null
exit 0
