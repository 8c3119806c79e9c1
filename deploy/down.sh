#!/usr/bin/env bash
# Stops the local network started by ./deploy/up.sh (if any) and keeps its data.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$repo/deploy/network.sh" ]; then
  exec "$repo/deploy/network.sh" down
fi
echo "No Weft network is running."
