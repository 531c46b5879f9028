#!/usr/bin/env bash
# Installs HAProxy from Debian's packages when it is not on PATH (the tests and the demo need the real one).
set -euo pipefail
if command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "haproxy is missing and this user cannot install it: run 'apt-get install -y haproxy' as root" >&2
    exit 1
  fi
fi
echo "installing haproxy with apt-get…" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq haproxy >/dev/null
haproxy -v | head -1 >&2
