#!/usr/bin/env bash
# Installs what the tests and the demo run for real from Debian's packages when it is missing: HAProxy,
# tini (the image's PID 1, which test/image-process-model.test.ts runs the entrypoint under), openssl and
# curl (the TLS tests), python3 (test/helpers/hold-fork.py holds a forked process with ptrace). Idempotent.
set -euo pipefail
missing=()
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then missing+=(haproxy); fi
if ! command -v tini >/dev/null 2>&1 && [ ! -x /usr/bin/tini ]; then missing+=(tini); fi
# The TLS tests make certificates with openssl and fetch over HTTP/2 with curl (not on a slim Debian).
if ! command -v openssl >/dev/null 2>&1; then missing+=(openssl); fi
if ! command -v curl >/dev/null 2>&1; then missing+=(curl); fi
if ! command -v python3 >/dev/null 2>&1; then missing+=(python3); fi
if [ "${#missing[@]}" = 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "missing: ${missing[*]}, and this user cannot install it: run 'apt-get install -y ${missing[*]}' as root" >&2
    exit 1
  fi
fi
echo "installing ${missing[*]} with apt-get…" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
PATH="/usr/sbin:$PATH" haproxy -v | head -1 >&2
