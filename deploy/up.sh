#!/usr/bin/env bash
# Set-up, build, and start a local Weft network in the background, run a sample
# transaction and report; the network keeps running until ./deploy/down.sh.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${WEFT_BUILD_DIR:-$repo/build}/bin"

"$repo/deploy/setup.sh"
"$repo/deploy/build.sh"

echo
echo "== Weft: built executables in $bin"
ls -1 "$bin" 2>/dev/null | sed 's/^/   /' || true

missing=()
for exe in cryptogen configtxgen orderer osnadmin peer; do
  [ -x "$bin/$exe" ] || missing+=("$exe")
done
if [ "${#missing[@]}" -gt 0 ]; then
  cat <<MSG

== Not there yet: ${missing[*]}
   The foundation (Fabric-compatible protos, crypto, config, gRPC, logging, operations
   endpoint) and the ledger storage are built and tested (./deploy/test.sh), but no
   network can be started until the executables above exist, so no transaction ran.
MSG
  exit 0
fi
exec "$repo/deploy/network.sh" up
