#!/usr/bin/env bash
# The local sample network: `network.sh up` generates identities (cryptogen) and the
# channel's genesis block (configtxgen), starts a solo orderer and one peer per org
# (peer0.org1, peer0.org2) in the background with TLS on, joins the orderer to the
# channel (osnadmin) and both peers (`peer channel join`), broadcasts signed
# envelopes, verifies the resulting blocks and shows both peers at the orderer's
# height. `network.sh down` stops the processes.
# Everything lives in deploy/.network/ (recreated by each `up`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${WEFT_BUILD_DIR:-$repo/build}/bin"
net="$repo/deploy/.network"
channel="${WEFT_CHANNEL:-mychannel}"
orderer_port="${WEFT_ORDERER_PORT:-7050}"
admin_port="${WEFT_ORDERER_ADMIN_PORT:-7053}"
ops_port="${WEFT_ORDERER_OPS_PORT:-9443}"
# Fabric test-network's ports: peer0.org1 7051 (chaincode 7052, operations 9444),
# peer0.org2 9051 (chaincode 9052, operations 9445).
org1_port="${WEFT_ORG1_PEER_PORT:-7051}"
org2_port="${WEFT_ORG2_PEER_PORT:-9051}"
org1_ops_port="${WEFT_ORG1_OPS_PORT:-9444}"
org2_ops_port="${WEFT_ORG2_OPS_PORT:-9445}"

# stop <name>: SIGTERM the process of $net/<name>.pid, SIGKILL after 5 s.
stop() {
  local name="$1"
  if [ -f "$net/$name.pid" ]; then
    local pid
    pid=$(cat "$net/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      echo "Stopped $name (pid $pid)."
    fi
    rm -f "$net/$name.pid"
  fi
}

stop_all() {
  stop peer0.org2
  stop peer0.org1
  stop orderer
}

# wait_started <name> <line>: until <line> is in $net/<name>.log, or the process died.
wait_started() {
  local name="$1" line="$2"
  for _ in $(seq 300); do
    grep -q "$line" "$net/$name.log" && { grep "$line" "$net/$name.log"; return 0; }
    if ! kill -0 "$(cat "$net/$name.pid")" 2>/dev/null; then
      echo "$name exited; its log ($net/$name.log):" >&2
      cat "$net/$name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$name did not start in 30 s; its log ($net/$name.log):" >&2
  tail -50 "$net/$name.log" >&2
  exit 1
}

# The environment Fabric's test-network gives the CLI for <org> (1 or 2), admin identity.
cli_env() {
  local org="$1" port="$2"
  local org_dir="$net/crypto-config/peerOrganizations/org$org.example.com"
  echo "FABRIC_CFG_PATH=$repo/deploy/config CORE_PEER_TLS_ENABLED=true" \
    "CORE_PEER_LOCALMSPID=Org${org}MSP" \
    "CORE_PEER_TLS_ROOTCERT_FILE=$org_dir/peers/peer0.org$org.example.com/tls/ca.crt" \
    "CORE_PEER_MSPCONFIGPATH=$org_dir/users/Admin@org$org.example.com/msp" \
    "CORE_PEER_ADDRESS=localhost:$port"
}

# start_peer <org> <port> <operations port>
start_peer() {
  local org="$1" port="$2" ops="$3"
  local name="peer0.org$org"
  local peer_dir="$net/crypto-config/peerOrganizations/org$org.example.com/peers/$name.example.com"
  (
    export FABRIC_CFG_PATH="$repo/deploy/config"
    export CORE_PEER_ID="$name.example.com"
    export CORE_PEER_ADDRESS="localhost:$port"
    export CORE_PEER_LISTENADDRESS="127.0.0.1:$port"
    export CORE_PEER_CHAINCODELISTENADDRESS="127.0.0.1:$((port + 1))"
    export CORE_PEER_FILESYSTEMPATH="$net/$name-data"
    export CORE_PEER_MSPCONFIGPATH="$peer_dir/msp"
    export CORE_PEER_LOCALMSPID="Org${org}MSP"
    export CORE_PEER_TLS_ENABLED=true
    export CORE_PEER_TLS_CERT_FILE="$peer_dir/tls/server.crt"
    export CORE_PEER_TLS_KEY_FILE="$peer_dir/tls/server.key"
    export CORE_PEER_TLS_ROOTCERT_FILE="$peer_dir/tls/ca.crt"
    export CORE_OPERATIONS_LISTENADDRESS="127.0.0.1:$ops"
    export CORE_METRICS_PROVIDER=prometheus
    nohup "$bin/peer" node start > "$net/$name.log" 2>&1 &
    echo $! > "$net/$name.pid"
  )
  wait_started "$name" "peer started"
}

up() {
  stop_all
  rm -rf "$net"
  mkdir -p "$net"
  cp "$repo/deploy/network/crypto-config.yaml" "$repo/deploy/network/configtx.yaml" "$net/"

  echo "== 1. Identities (cryptogen)"
  "$bin/cryptogen" generate --config "$net/crypto-config.yaml" --output "$net/crypto-config"

  echo "== 2. Genesis block of channel '$channel' (configtxgen, profile TwoOrgsApplicationGenesis)"
  "$bin/configtxgen" -profile TwoOrgsApplicationGenesis -channelID "$channel" \
    -outputBlock "$net/$channel.block" -configPath "$net"

  echo "== 3. Solo orderer on 127.0.0.1:$orderer_port, TLS (admin :$admin_port, operations :$ops_port)"
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
    export ORDERER_GENERAL_TLS_ENABLED=true
    export ORDERER_GENERAL_TLS_PRIVATEKEY="$orderer_dir/tls/server.key"
    export ORDERER_GENERAL_TLS_CERTIFICATE="$orderer_dir/tls/server.crt"
    export ORDERER_GENERAL_TLS_ROOTCAS="[$orderer_dir/tls/ca.crt]"
    nohup "$bin/orderer" start > "$net/orderer.log" 2>&1 &
    echo $! > "$net/orderer.pid"
  )
  wait_started orderer "orderer started"

  echo "== 4. Join the orderer to '$channel' (osnadmin)"
  "$bin/osnadmin" channel join --channelID "$channel" --config-block "$net/$channel.block" \
    -o "127.0.0.1:$admin_port"

  echo "== 5. peer0.org1 on localhost:$org1_port and peer0.org2 on localhost:$org2_port, TLS"
  start_peer 1 "$org1_port" "$org1_ops_port"
  start_peer 2 "$org2_port" "$org2_ops_port"

  echo "== 6. Join both peers to '$channel' (peer channel join, as each org's admin)"
  env $(cli_env 1 "$org1_port") "$bin/peer" channel join -b "$net/$channel.block"
  env $(cli_env 2 "$org2_port") "$bin/peer" channel join -b "$net/$channel.block"
  env $(cli_env 1 "$org1_port") "$bin/peer" channel list

  local orderer_ca="$orderer_dir/tls/ca.crt"
  local user_msp="$net/crypto-config/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp"
  echo "== 7. Broadcast 5 envelopes signed by User1@org1.example.com"
  "$bin/weft-orderer-client" broadcast -o "127.0.0.1:$orderer_port" -c "$channel" \
    --tlsRootCertFile "$orderer_ca" --mspDir "$user_msp" --mspID Org1MSP --count 5 \
    --message "sample transaction"

  echo "== 8. Deliver and verify every block (hash chain, data hash, orderer signatures)"
  sleep 1.5  # the channel's BatchTimeout is 1s
  "$bin/weft-orderer-client" deliver -o "127.0.0.1:$orderer_port" -c "$channel" \
    --tlsRootCertFile "$orderer_ca" --mspDir "$user_msp" --mspID Org1MSP \
    --genesis "$net/$channel.block" --start 0

  echo "== 9. Both peers pulled, validated and committed the blocks (peer channel getinfo)"
  local height
  height=$("$bin/osnadmin" channel list --channelID "$channel" -o "127.0.0.1:$admin_port" |
    sed -n 's/.*"height": *\([0-9]*\).*/\1/p')
  for org in 1 2; do
    local port=$org1_port
    [ "$org" = 2 ] && port=$org2_port
    local info=""
    for _ in $(seq 100); do
      info=$(env $(cli_env "$org" "$port") "$bin/peer" channel getinfo -c "$channel")
      [[ "$info" == *"\"height\":$height,"* ]] && break
      sleep 0.2
    done
    echo "peer0.org$org: $info"
    if [[ "$info" != *"\"height\":$height,"* ]]; then
      echo "peer0.org$org did not reach the orderer's height $height; its log: $net/peer0.org$org.log" >&2
      exit 1
    fi
  done

  cat <<MSG

The network keeps running (logs in $net):
  orderer     127.0.0.1:$orderer_port   pid $(cat "$net/orderer.pid"), health http://127.0.0.1:$ops_port/healthz
  peer0.org1  localhost:$org1_port   pid $(cat "$net/peer0.org1.pid"), health http://127.0.0.1:$org1_ops_port/healthz
  peer0.org2  localhost:$org2_port   pid $(cat "$net/peer0.org2.pid"), health http://127.0.0.1:$org2_ops_port/healthz
To use the peer CLI as Org1's admin:
  export PATH=$bin:\$PATH $(cli_env 1 "$org1_port")
  peer channel getinfo -c $channel
Stop everything with ./deploy/down.sh.
Not there yet: up.sh does not deploy a chaincode (the peers run chaincode and _lifecycle,
but deploying asset-transfer-basic from this script comes next), so the sample
transaction is an ordered envelope, not a chaincode invocation.
MSG
}

case "${1:-}" in
  up) up ;;
  down) stop_all; echo "Weft network stopped (data kept in $net)." ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
