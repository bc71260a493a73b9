# shellcheck shell=sh
# observe APP ENV IMAGE HISTORY SCOPE: every container's state, our labels and the image's commit,
# addresses and port bindings (this app's, and everyone's ports), whether IMAGE is there and has a
# HEALTHCHECK, the ports listened on, and the app's deploy history, as @@sections. Docker is asked
# for these fields only — never a whole `docker inspect`, whose env values of other apps must not
# reach the runner.
# The app's containers are picked out by label when parsing (deploy/observe.ts).
observe() {
  echo @@containers
  # shellcheck disable=SC2046 # one word per container id
  docker inspect --type container --format '{"Id":{{json .Id}},"Name":{{json .Name}},"Created":{{json .Created}},"State":{{json .State}},"Config":{"Labels":{"dev.powertrain.app":{{json (index .Config.Labels "dev.powertrain.app")}},"dev.powertrain.environment":{{json (index .Config.Labels "dev.powertrain.environment")}},"dev.powertrain.version":{{json (index .Config.Labels "dev.powertrain.version")}},"dev.powertrain.digest":{{json (index .Config.Labels "dev.powertrain.digest")}},"dev.powertrain.image":{{json (index .Config.Labels "dev.powertrain.image")}},"dev.powertrain.deploy-id":{{json (index .Config.Labels "dev.powertrain.deploy-id")}},"dev.powertrain.host":{{json (index .Config.Labels "dev.powertrain.host")}},"org.opencontainers.image.revision":{{json (index .Config.Labels "org.opencontainers.image.revision")}}}},"NetworkSettings":{"Networks":{{json .NetworkSettings.Networks}}},"HostConfig":{"PortBindings":{{json .HostConfig.PortBindings}}}}' $(docker ps -aq --no-trunc) 2>/dev/null
  echo @@image
  docker image inspect --format '{"Config":{"Healthcheck":{{json .Config.Healthcheck}}}}' "$3" 2>/dev/null
  echo @@tcp
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null
  echo @@udp
  cat /proc/net/udp /proc/net/udp6 2>/dev/null
  echo @@history
  cat "$PT_STATE/$4" 2>/dev/null
  return 0
}
