#!/usr/bin/env bash
# The local sample network: `network.sh up` generates identities (cryptogen) and the
# channel's genesis block (configtxgen), starts a solo orderer in the background,
# joins it to the channel (osnadmin), broadcasts signed envelopes and delivers and
# verifies the resulting blocks. `network.sh down` stops the processes.
# Everything lives in deploy/.network/ (recreated by each `up`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${WEFT_BUILD_DIR:-$repo/build}/bin"
net="$repo/deploy/.network"
channel="${WEFT_CHANNEL:-mychannel}"
orderer_port="${WEFT_ORDERER_PORT:-7050}"
admin_port="${WEFT_ORDERER_ADMIN_PORT:-7053}"
ops_port="${WEFT_ORDERER_OPS_PORT:-8443}"

stop_orderer() {
  if [ -f "$net/orderer.pid" ]; then
    local pid
    pid=$(cat "$net/orderer.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      echo "Stopped the orderer (pid $pid)."
    fi
    rm -f "$net/orderer.pid"
  fi
}

up() {
  stop_orderer
  rm -rf "$net"
  mkdir -p "$net"
  cp "$repo/deploy/network/crypto-config.yaml" "$repo/deploy/network/configtx.yaml" "$net/"

  echo "== 1. Identities (cryptogen)"
  "$bin/cryptogen" generate --config "$net/crypto-config.yaml" --output "$net/crypto-config"

  echo "== 2. Genesis block of channel '$channel' (configtxgen, profile TwoOrgsApplicationGenesis)"
  "$bin/configtxgen" -profile TwoOrgsApplicationGenesis -channelID "$channel" \
    -outputBlock "$net/$channel.block" -configPath "$net"

  echo "== 3. Solo orderer on 127.0.0.1:$orderer_port (admin :$admin_port, operations :$ops_port)"
  local orderer_dir="$net/crypto-config/ordererOrganizations/example.com/orderers/orderer.example.com"
  (
    export FABRIC_CFG_PATH="$repo/deploy/config"
    export ORDERER_GENERAL_LISTENADDRESS=127.0.0.1
    export ORDERER_GENERAL_LISTENPORT="$orderer_port"
    export ORDERER_GENERAL_LOCALMSPDIR="$orderer_dir/msp"
    export ORDERER_GENERAL_LOCALMSPID=OrdererMSP
    export ORDERER_FILELEDGER_LOCATION="$net/orderer-data"
    export ORDERER_ADMIN_LISTENADDRESS="127.0.0.1:$admin_port"
    export ORDERER_OPERATIONS_LISTENADDRESS="127.0.0.1:$ops_port"
    export ORDERER_METRICS_PROVIDER=prometheus
    nohup "$bin/orderer" start > "$net/orderer.log" 2>&1 &
    echo $! > "$net/orderer.pid"
  )
  for _ in $(seq 100); do
    grep -q "orderer started" "$net/orderer.log" && break
    if ! kill -0 "$(cat "$net/orderer.pid")" 2>/dev/null; then
      echo "The orderer exited; its log ($net/orderer.log):" >&2
      cat "$net/orderer.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  grep "orderer started" "$net/orderer.log"

  echo "== 4. Join the orderer to '$channel' (osnadmin)"
  "$bin/osnadmin" channel join --channelID "$channel" --config-block "$net/$channel.block" \
    -o "127.0.0.1:$admin_port"

  local user_msp="$net/crypto-config/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp"
  echo "== 5. Broadcast 5 envelopes signed by User1@org1.example.com"
  "$bin/weft-orderer-client" broadcast -o "127.0.0.1:$orderer_port" -c "$channel" \
    --mspDir "$user_msp" --mspID Org1MSP --count 5 --message "sample transaction"

  echo "== 6. Deliver and verify every block (hash chain, data hash, orderer signatures)"
  sleep 1.5  # the channel's BatchTimeout is 1s
  "$bin/weft-orderer-client" deliver -o "127.0.0.1:$orderer_port" -c "$channel" \
    --mspDir "$user_msp" --mspID Org1MSP --genesis "$net/$channel.block" --start 0

  echo "== 7. Channel height (osnadmin channel list)"
  "$bin/osnadmin" channel list --channelID "$channel" -o "127.0.0.1:$admin_port"

  cat <<MSG

The orderer keeps running (pid $(cat "$net/orderer.pid"), log $net/orderer.log,
health http://127.0.0.1:$ops_port/healthz, metrics http://127.0.0.1:$ops_port/metrics).
Stop it with ./deploy/down.sh.
Not there yet: a peer in this network (the peer executable validates and commits,
but chaincode and the peer CLI come later), so the sample transaction is an
ordered envelope, not a chaincode invocation.
MSG
}

case "${1:-}" in
  up) up ;;
  down) stop_orderer; echo "Weft network stopped (data kept in $net)." ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
