#!/usr/bin/env bash
# Installs the Debian packages the tests run for real (Dovecot, an IMAP server; Prometheus and its
# promtool, for the alert rules and a real scrape; Chromium, the browser Playwright drives in the
# console's browser test), once, without starting them.
set -euo pipefail

say() { echo "system-packages: $*"; }
die() { echo "system-packages: ERROR: $*" >&2; exit 1; }

missing=()
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing+=(dovecot-core dovecot-imapd)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
[ "$(id -u)" -eq 0 ] || die "need root to apt-get install ${missing[*]} (or install them yourself)"

# The tests start their own Dovecot on a free loopback port; stop the package from starting one.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
cleanup() { if [ "$created_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

say "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || die "apt-get update failed (are Debian's mirrors reachable?)"
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || die "apt-get install ${missing[*]} failed"
say "installed ${missing[*]}"
