#!/usr/bin/env bash
# Installs what the test suite needs beyond node_modules and the services these machines start:
# Debian's Chromium (browser tests drive it through playwright-core). Idempotent and quiet when
# everything is already there. Never downloads a browser from anywhere but Debian's archive.
set -euo pipefail

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else
    echo "ensure-test-env: need root (or sudo) to run: $*" >&2; return 1
  fi
}

if [ ! -x /usr/bin/chromium ]; then
  echo "ensure-test-env: installing Debian's chromium for the browser tests" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

for hook in scripts/ensure-test-env.d/*.sh; do
  [ -e "$hook" ] && bash "$hook"
done
exit 0
