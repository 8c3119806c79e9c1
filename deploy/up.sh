#!/usr/bin/env bash
# Set-up, build, and start a local Weft network in the background, run a sample
# transaction and report; the network keeps running until ./deploy/down.sh.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

"$repo/deploy/setup.sh"
"$repo/deploy/build.sh"

exec "$repo/deploy/network.sh" up
