#!/usr/bin/env bash
# Set-up, build, and start the sample network (deploy/network.sh up: two orgs, channel
# mychannel, chaincode basic, transactions through both orgs' Gateways) in the
# background; it keeps running until ./deploy/down.sh.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

"$repo/deploy/setup.sh"
"$repo/deploy/build.sh"

exec "$repo/deploy/network.sh" up
