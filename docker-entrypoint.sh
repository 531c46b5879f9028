#!/bin/sh
# `generate-maps` runs the generator; `haproxy` (the default) or `reloader` runs the reloader, which
# supervises HAProxy; anything else is executed as given (e.g. `sh` for debugging).
# RANCHER_HAPROXY_APP overrides where the packages are (the image's path), for running this script outside it.
set -e
APP="${RANCHER_HAPROXY_APP:-/opt/rancher-haproxy/packages}"

# Process model of `haproxy`: tini (PID 1) → this script → the reloader → the HAProxy master. This script
# stays, so that a reloader killed by a signal (SIGKILL, the OOM killer, a crash of node itself) does not
# end the container: the HAProxy master it leaves, reparented to tini, keeps serving, and the reloader
# started again after a pause (1 s, doubling to 30 s; back to 1 s after a run of a minute) adopts it through
# the state dir's master socket. An exit of the reloader's own (0 after SIGTERM/SIGINT, 1: HAProxy cannot
# be run, 2: bad options) ends the script with that code; SIGTERM and SIGINT are passed on to the reloader.
supervise_reloader() {
  child="" stopping="" delay=1
  trap 'stopping=1; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true' TERM
  trap 'stopping=1; [ -z "$child" ] || kill -INT "$child" 2>/dev/null || true' INT
  while :; do
    started=$(date +%s)
    "$@" &
    child=$!
    [ -z "$stopping" ] || kill -TERM "$child" 2>/dev/null || true
    code=0
    wait "$child" || code=$?
    # A trapped signal interrupts `wait` (status > 128) while the reloader still runs: wait for it again.
    while [ "$code" -gt 128 ] && kill -0 "$child" 2>/dev/null; do
      code=0
      wait "$child" || code=$?
    done
    child=""
    if [ -n "$stopping" ] || [ "$code" -le 128 ]; then exit "$code"; fi
    [ $(($(date +%s) - started)) -lt 60 ] || delay=1
    printf '{"level":50,"time":%s000,"name":"docker-entrypoint","event":"entrypoint.reloader-died","exitCode":%s,"restartInS":%s,"msg":"the reloader was killed by signal %s: starting it again, it adopts the running HAProxy"}\n' \
      "$(date +%s)" "$code" "$delay" "$((code - 128))" >&2
    sleep "$delay" &
    wait $! || true
    if [ -n "$stopping" ]; then exit "$code"; fi
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}

case "$1" in
  generate-maps)
    shift
    exec node "$APP/generate-maps/bin/generate-maps.js" "$@"
    ;;
  haproxy | reloader)
    shift
    supervise_reloader node "$APP/reloader/bin/reloader.js" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
