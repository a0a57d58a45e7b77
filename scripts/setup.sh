#!/usr/bin/env bash
# `npm run setup`: installs the Debian packages the tests use (scripts/debian-packages.txt) with apt,
# through sudo when not root. Installs only what is missing; says what it does in one line.
set -euo pipefail
# dpkg runs ldconfig and start-stop-daemon from sbin, which a minimal PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
cd "$(dirname "$0")/.."

mapfile -t pkgs < <(grep -vE '^\s*(#|$)' scripts/debian-packages.txt)
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: this is not a Debian-like system (no dpkg/apt); install these by hand: ${pkgs[*]}" >&2
  exit 1
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: the Debian packages the tests use are installed (${pkgs[*]})"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup: need root to install ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  SUDO=sudo
fi
echo "setup: installing ${missing[*]} with apt-get"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: installed ${missing[*]}"
