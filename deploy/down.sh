#!/usr/bin/env bash
# Stops the sample network started by ./deploy/up.sh (orderer, peers and the chaincode
# the peers launched) and keeps its data; `--clean` also removes the network folder
# (deploy/.network, or WEFT_NETWORK_DIR).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$repo/deploy/network.sh" down "$@"
