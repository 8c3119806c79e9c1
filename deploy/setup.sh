#!/usr/bin/env bash
# Installs everything Weft's build, tests and local network need on Debian 12.
# Idempotent: when every package is present it only checks and returns.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"

debian_packages=(
  build-essential cmake ninja-build pkg-config ccache git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev libprotoc-dev protobuf-compiler
  libleveldb-dev libsnappy-dev librdkafka-dev libyaml-cpp-dev libssl-dev
  libabsl-dev catch2 libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  libcpp-httplib-dev libbenchmark-dev libarchive-dev openssl curl ca-certificates
  clang-format-14 mold python3
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup.sh: need root (or sudo) to run: $*" >&2; exit 1
  fi
}

missing=()
for pkg in "${debian_packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done

# Node: this image may ship its own node+npm; only install Debian's where none exists
# (Debian's npm conflicts with a vendor nodejs package).
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  echo "setup.sh: node is present but npm is not; install npm for $(command -v node)" >&2
  exit 1
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages for the interop tests (pinned by package-lock.json).
interop="$repo/tests/interop"
if [ -f "$interop/package-lock.json" ]; then
  stamp="$interop/node_modules/.weft-lock.sha256"
  want=$(sha256sum "$interop/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup.sh: installing npm packages for tests/interop"
    (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
fi

# Node chaincode the integration tests install on the peers: the peer's node builder
# runs `npm ci --prefer-offline` with no network at test time, so every package of
# each lock file goes into npm's cache now (through a throw-away copy, so the sources
# stay free of node_modules/). The stamp lives in the cache, so an emptied cache is
# filled again.
npm_cache=$(npm config get cache)
for lock in "$repo"/tests/interop/chaincode/*/package-lock.json; do
  [ -f "$lock" ] || continue
  chaincode=$(dirname "$lock")
  stamp="$npm_cache/.weft-chaincode-$(basename "$chaincode").sha256"
  want=$(cat "$lock" "$chaincode/package.json" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup.sh: caching npm packages for ${chaincode#"$repo"/}"
    copy=$(mktemp -d)
    cp "$chaincode/package.json" "$lock" "$copy/"
    (cd "$copy" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null) || {
      rm -rf "$copy"
      exit 1
    }
    rm -rf "$copy"
    mkdir -p "$npm_cache"
    echo "$want" > "$stamp"
  fi
done
