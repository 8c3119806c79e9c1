#!/usr/bin/env bash
# The network the interop matrix shares (CTest fixture interop_network):
#   interop_network.sh up <build dir> <folder>
#     deploy/network.sh up on nine free ports in <folder>/net (two orgs, solo orderer,
#     TLS, channel mychannel, C++ asset-transfer-basic as `basic`), then one chaincode
#     definition per matrix cell, so every client starts from an empty namespace:
#     basic-cpp-gw and basic-cpp-sdk (the C++ package network.sh installed),
#     basic-node-gw and basic-node-sdk (tests/interop/chaincode/asset-transfer-basic,
#     packaged --lang node, built by the peers with npm offline). Writes
#     <folder>/network.env (KEY=value lines) for the tests.
#   interop_network.sh down <build dir> <folder>
#     stops the network and the chaincode processes the peers started, removes <folder>.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
action="${1:?usage: $0 up|down <build dir> <folder>}"
build="$(realpath -m "${2:?build dir}")"
folder="$(realpath -m "${3:?folder}")"
net="$folder/net"
bin="$build/bin"
channel=mychannel

export WEFT_BUILD_DIR="$build" WEFT_NETWORK_DIR="$net" WEFT_CHANNEL="$channel"

# Processes whose working folder lies in the network folder (the Node chaincode the
# peers started through npm) — network.sh stops only the peers' direct children.
chaincode_processes() {
  local cwd
  for cwd in /proc/[0-9]*/cwd; do
    local target
    target=$(readlink "$cwd" 2>/dev/null) || continue
    if [[ "$target" == "$net/"* ]]; then local p="${cwd#/proc/}"; echo "${p%/cwd}"; fi
  done
  return 0
}

down() {
  if [ -f "$folder/network.env" ]; then
    # shellcheck disable=SC1091
    set -a && . "$folder/network.env" && set +a
  fi
  local pids
  pids=$(chaincode_processes)
  bash "$repo/deploy/network.sh" down --clean || true
  local pid
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  rm -rf "$folder"
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

org_dir() { echo "$net/organizations/peerOrganizations/org$1.example.com"; }
peer_ca() { echo "$(org_dir "$1")/tlsca/tlsca.org$1.example.com-cert.pem"; }
peer_port() { if [ "$1" = 1 ]; then echo "$WEFT_ORG1_PEER_PORT"; else echo "$WEFT_ORG2_PEER_PORT"; fi; }
# test-network's setGlobals for <org>'s admin, as network.sh sets it.
as_org() {
  local org="$1"
  shift
  FABRIC_CFG_PATH="$net/config" CORE_PEER_TLS_ENABLED=true CORE_PEER_LOCALMSPID="Org${org}MSP" \
    CORE_PEER_TLS_ROOTCERT_FILE="$(peer_ca "$org")" \
    CORE_PEER_MSPCONFIGPATH="$(org_dir "$org")/users/Admin@org$org.example.com/msp" \
    CORE_PEER_ADDRESS="localhost:$(peer_port "$org")" "$@"
}

# define <name> <package id>: approve by both orgs, wait for readiness, commit with both
# orgs' endorsements (MAJORITY), wait until both peers have the definition.
define() {
  local name="$1" package_id="$2" org
  local orderer_flags=(-o "localhost:$WEFT_ORDERER_PORT" --ordererTLSHostnameOverride orderer.example.com
    --tls --cafile "$net/organizations/ordererOrganizations/example.com/orderers/orderer.example.com/msp/tlscacerts/tlsca.example.com-cert.pem")
  for org in 1 2; do
    as_org "$org" "$bin/peer" lifecycle chaincode approveformyorg "${orderer_flags[@]}" \
      --channelID "$channel" --name "$name" --version 1.0 --package-id "$package_id" --sequence 1
  done
  local readiness=""
  for org in 1 2; do
    for _ in $(seq 300); do
      readiness=$(as_org "$org" "$bin/peer" lifecycle chaincode checkcommitreadiness \
        --channelID "$channel" --name "$name" --version 1.0 --sequence 1 --output json)
      [[ "$readiness" == *'"Org1MSP": true'* && "$readiness" == *'"Org2MSP": true'* ]] && break
      sleep 0.2
    done
  done
  as_org 1 "$bin/peer" lifecycle chaincode commit "${orderer_flags[@]}" \
    --channelID "$channel" --name "$name" --version 1.0 --sequence 1 \
    --peerAddresses "localhost:$WEFT_ORG1_PEER_PORT" --tlsRootCertFiles "$(peer_ca 1)" \
    --peerAddresses "localhost:$WEFT_ORG2_PEER_PORT" --tlsRootCertFiles "$(peer_ca 2)"
  for org in 1 2; do
    for _ in $(seq 300); do
      as_org "$org" "$bin/peer" lifecycle chaincode querycommitted --channelID "$channel" \
        --name "$name" >/dev/null 2>&1 && break
      sleep 0.2
    done
  done
  echo "Defined $name ($package_id) on both peers"
}

up() {
  down
  mkdir -p "$folder"
  local name
  for name in WEFT_ORDERER_PORT WEFT_ORDERER_ADMIN_PORT WEFT_ORDERER_OPS_PORT WEFT_ORG1_PEER_PORT \
    WEFT_ORG1_CC_PORT WEFT_ORG1_OPS_PORT WEFT_ORG2_PEER_PORT WEFT_ORG2_CC_PORT WEFT_ORG2_OPS_PORT; do
    local port
    port=$(free_port)
    while grep -q "=$port\$" "$folder/network.env" 2>/dev/null; do port=$(free_port); done
    echo "$name=$port" >> "$folder/network.env"
  done
  # shellcheck disable=SC1091
  set -a && . "$folder/network.env" && set +a
  # The peers build Node chaincode with npm from the cache deploy/setup.sh filled.
  export npm_config_offline=true npm_config_update_notifier=false
  bash "$repo/deploy/network.sh" up

  local cpp_id node_id node_package="$net/basic-node.tar.gz"
  cpp_id=$(as_org 1 "$bin/peer" lifecycle chaincode calculatepackageid "$net/basic.tar.gz")
  as_org 1 "$bin/peer" lifecycle chaincode package "$node_package" --lang node \
    --path "$repo/tests/interop/chaincode/asset-transfer-basic" --label basic-node_1.0
  node_id=$(as_org 1 "$bin/peer" lifecycle chaincode calculatepackageid "$node_package")
  for org in 1 2; do as_org "$org" "$bin/peer" lifecycle chaincode install "$node_package"; done
  define basic-cpp-gw "$cpp_id"
  define basic-cpp-sdk "$cpp_id"
  define basic-node-gw "$node_id"
  define basic-node-sdk "$node_id"
  {
    echo "CHANNEL_NAME=$channel"
    echo "ORG1_CRYPTO_PATH=$(org_dir 1)"
    echo "ORG2_CRYPTO_PATH=$(org_dir 2)"
    echo "NETWORK_DIR=$net"
  } >> "$folder/network.env"
  echo "interop network up; see $folder/network.env"
}

case "$action" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down <build dir> <folder>" >&2; exit 2 ;;
esac
