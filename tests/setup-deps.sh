#!/bin/bash
# setup-deps.sh: install the Debian packages that building and testing airlock need, and only those
# that are missing (dpkg -s). Safe to run again; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
	# build
	gcc libc6-dev meson ninja-build pkg-config libseccomp-dev libjansson-dev clang-format git
	libarchive-dev nettle-dev libc-ares-dev libzstd-dev liblz4-dev libacl1-dev liblzma-dev libbz2-dev zlib1g-dev libxml2-dev
	# tests: the busybox rootfs, users, terminals, leak checks, JSON, listeners
	busybox-static util-linux bsdutils procps iproute2 jq socat passwd coreutils findutils
	# `airlock pull` runs skopeo (tested with a local docker-archive source)
	skopeo
)

missing=()
for p in "${packages[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "setup-deps: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "setup-deps: need root to install ${missing[*]}" >&2; exit 1; }
	sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; then
	"${sudo[@]}" apt-get update >/dev/null
	"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
