#!/bin/sh
# `generate-maps` runs the generator; `haproxy` (the default) or `reloader` runs the reloader, which
# supervises HAProxy; anything else is executed as given (e.g. `sh` for debugging).
# RANCHER_HAPROXY_APP overrides where the packages are (the image's path), for running this script outside it.
set -e
APP="${RANCHER_HAPROXY_APP:-/opt/rancher-haproxy/packages}"
case "$1" in
  generate-maps)
    shift
    exec node "$APP/generate-maps/bin/generate-maps.js" "$@"
    ;;
  haproxy | reloader)
    shift
    exec node "$APP/reloader/bin/reloader.js" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
