# .tmp/test-env: what the integration tests read (test/support/env.ts), shell-sourceable KEY='value'.
# shellcheck shell=bash

write_test_env() {
  local hosts
  hosts="$(IFS=,; echo "${SSH_HOSTS[*]}")"
  local -a pairs=(
    PT_REGISTRY "$REGISTRY_ADDR"
    PT_REGISTRY_USER "$REGISTRY_USER"
    PT_REGISTRY_PASSWORD "$(registry_password)"
    PT_SSH_USER "$SSH_USER"
    PT_SSH_PORT "$SSH_PORT"
    PT_SSH_HOSTS "$hosts"
    PT_SSH_KEY "$SSH_KEY"
    PT_SSH_KNOWN_HOSTS "$SSH_KNOWN_HOSTS"
    PT_IMAGE_BUSYBOX "$IMAGE_BUSYBOX"
    PT_IMAGE_NODE "$IMAGE_NODE"
    PT_NGINX_PORT "$NGINX_PORT"
    PT_NGINX_CONF "$NGINX_CONF"
    PT_NGINX_CONF_DIR "$NGINX_CONF_DIR"
    PT_NGINX_BIN "$NGINX_BIN"
    PT_TOKEN_REGISTRY "$TOKEN_REGISTRY_ADDR"
    PT_TOKEN_REALM "$TOKEN_REALM"
    PT_FLEET_HOSTS "$(fleet_hosts_list)"
    PT_FLEET_SOCKETS "$(fleet_sockets_list)"
    PT_FLEET_KNOWN_HOSTS "$FLEET_KNOWN_HOSTS"
    PT_FLEET_REGISTRY "$FLEET_REGISTRY"
    PT_FLEET_PROXY_BASE "$FLEET_PROXY_BASE"
    PT_TOXIPROXY_API "$TOXIPROXY_API"
    PT_BUILDX_BUILDER "$BUILDX_BUILDER"
    PT_BUILDKITD_BIN "$BUILDKITD_BIN"
    PT_BUILDKITD_CONF "$BUILDKIT_CONF"
    PT_REGISTRY_IMAGE_BUSYBOX "$REGISTRY_IMAGE_BUSYBOX"
    PT_REGISTRY_IMAGE_NODE "$REGISTRY_IMAGE_NODE"
  )
  local user
  for user in "${TOKEN_USERS[@]}"; do
    # pt-push → PT_TOKEN_PUSH_PASSWORD (the user name is the suffix).
    pairs+=("PT_TOKEN_$(tr 'a-z-' 'A-Z_' <<<"${user#pt-}")_PASSWORD" "$(token_password "$user")")
  done
  local content="# Written by ./scripts/setup for the integration tests; do not edit." i
  for ((i = 0; i < ${#pairs[@]}; i += 2)); do
    content+=$'\n'"${pairs[i]}=$(sh_quote "${pairs[i + 1]}")"
  done
  if write_if_changed "$TEST_ENV_FILE" "$content"; then
    chmod 600 "$TEST_ENV_FILE"
    progress "wrote ${TEST_ENV_FILE#"$ROOT/"}"
  fi
}
