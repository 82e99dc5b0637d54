#!/usr/bin/env bash
# Installs the Debian packages drillctl needs to build and to run its practice range, when any is missing.
# Safe to run again: it does nothing when everything is present.
set -euo pipefail

packages=(libssh2-1-dev libsqlite3-dev pkg-config openssh-server openssh-client chromium fonts-noto-cjk openssl curl sudo iproute2)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "error: need root to install ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
