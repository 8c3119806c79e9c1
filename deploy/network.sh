#!/usr/bin/env bash
# The sample network, in Fabric test-network's shape: `network.sh up` checks the ports,
# stops a network left running in the same folder, generates identities (cryptogen,
# organizations/ layout) and the genesis block of mychannel (configtxgen, anchor peers
# included), starts a solo orderer and peer0.org1 / peer0.org2 with TLS, joins them to
# the channel, deploys the C++ asset-transfer-basic as chaincode `basic` through
# _lifecycle as both orgs (peer CLI), writes the connection profiles, and runs
# InitLedger and TransferAsset through org1's Gateway and ReadAsset through both.
# `network.sh down` stops the processes (and the chaincode the peers launched);
# `network.sh down --clean` also removes the network folder.
#
# Overrides (environment), for tests and for running next to another network:
#   WEFT_BUILD_DIR        build tree whose bin/ holds the programs (default ./build)
#   WEFT_NETWORK_DIR      the network folder (default deploy/.network)
#   WEFT_CHANNEL          channel name (default mychannel)
#   WEFT_ORGS             2 (default), or 1: only Org1MSP in the channel and only
#                         peer0.org1, so basic's MAJORITY policy is one endorsement
#   WEFT_BATCH_TIMEOUT    the channel's Orderer.BatchTimeout (default 1s, configtx.yaml)
#   WEFT_MAX_MESSAGE_COUNT  its Orderer.BatchSize.MaxMessageCount (default 10)
#   WEFT_ORDERER_PORT 7050, WEFT_ORDERER_ADMIN_PORT 7053, WEFT_ORDERER_OPS_PORT 9443,
#   WEFT_ORG1_PEER_PORT 7051, WEFT_ORG1_CC_PORT 7052, WEFT_ORG1_OPS_PORT 9444,
#   WEFT_ORG2_PEER_PORT 9051, WEFT_ORG2_CC_PORT 9052, WEFT_ORG2_OPS_PORT 9445
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${WEFT_BUILD_DIR:-$repo/build}/bin"
# Absolute, so that processes running from it are recognised (leftovers below).
net="$(realpath -m "${WEFT_NETWORK_DIR:-$repo/deploy/.network}")"
channel="${WEFT_CHANNEL:-mychannel}"
batch_timeout="${WEFT_BATCH_TIMEOUT:-1s}"
case "${WEFT_ORGS:-2}" in
  1) orgs="1" profile=OneOrgApplicationGenesis ;;
  2) orgs="1 2" profile=TwoOrgsApplicationGenesis ;;
  *) echo "WEFT_ORGS must be 1 or 2" >&2; exit 2 ;;
esac
max_message_count="${WEFT_MAX_MESSAGE_COUNT:-10}"
orderer_port="${WEFT_ORDERER_PORT:-7050}"
admin_port="${WEFT_ORDERER_ADMIN_PORT:-7053}"
ops_port="${WEFT_ORDERER_OPS_PORT:-9443}"
org1_port="${WEFT_ORG1_PEER_PORT:-7051}"
org1_cc_port="${WEFT_ORG1_CC_PORT:-7052}"
org1_ops_port="${WEFT_ORG1_OPS_PORT:-9444}"
org2_port="${WEFT_ORG2_PEER_PORT:-9051}"
org2_cc_port="${WEFT_ORG2_CC_PORT:-9052}"
org2_ops_port="${WEFT_ORG2_OPS_PORT:-9445}"

orgs_dir="$net/organizations"
orderer_dir="$orgs_dir/ordererOrganizations/example.com/orderers/orderer.example.com"
# test-network's ORDERER_CA: the ordering org's TLS CA certificate.
orderer_ca="$orderer_dir/msp/tlscacerts/tlsca.example.com-cert.pem"

peer_port() { if [ "$1" = 1 ]; then echo "$org1_port"; else echo "$org2_port"; fi; }
org_dir() { echo "$orgs_dir/peerOrganizations/org$1.example.com"; }
# test-network's PEER0_ORGn_CA: the org's TLS CA certificate.
peer_ca() { echo "$(org_dir "$1")/tlsca/tlsca.org$1.example.com-cert.pem"; }

# stop_pid <pid> <name>: SIGTERM, then SIGKILL after 5 s.
stop_pid() {
  local pid="$1" name="$2"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  echo "Stopped $name (pid $pid)."
}

# The live processes whose parent is <pid> (the chaincode a peer launched).
children_of() {
  local parent="$1" stat ppid
  for stat in /proc/[0-9]*/stat; do
    # Field 4 of /proc/<pid>/stat is the parent pid (after "pid (comm) state").
    local line
    line=$(cat "$stat" 2>/dev/null) || continue
    local rest="${line##*) }"
    read -r _ ppid _ <<<"$rest"
    [ "$ppid" = "$parent" ] && { local p="${stat#/proc/}"; echo "${p%/stat}"; }
  done
  return 0
}

# stop <name> <command>: the process of $net/<name>.pid, if its command line still
# contains <command> (a pid left in a stale file may belong to someone else by now).
stop() {
  local name="$1" command="$2"
  [ -f "$net/$name.pid" ] || return 0
  local pid children=""
  pid=$(cat "$net/$name.pid")
  if ! tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -q -- "$command"; then
    rm -f "$net/$name.pid"
    return 0
  fi
  # A peer's chaincode runs in its own process group, so it may outlive the peer.
  kill -0 "$pid" 2>/dev/null && children=$(children_of "$pid")
  stop_pid "$pid" "$name"
  for child in $children; do stop_pid "$child" "chaincode of $name"; done
  rm -f "$net/$name.pid"
}

# Processes whose executable lies in the network folder: chaincode a peer launched
# (<peer>-data/externalbuilder/builds/...) that outlived a peer killed before down.
leftovers() {
  [ -d "$net" ] || return 0
  local exe
  for exe in /proc/[0-9]*/exe; do
    local target
    target=$(readlink "$exe" 2>/dev/null) || continue
    if [[ "$target" == "$net/"* ]]; then local p="${exe#/proc/}"; echo "${p%/exe}"; fi
  done
  return 0
}

stop_all() {
  stop peer0.org2 "peer node start"
  stop peer0.org1 "peer node start"
  stop orderer "orderer start"
  local pid
  for pid in $(leftovers); do stop_pid "$pid" "$(readlink "/proc/$pid/exe" 2>/dev/null)"; done
}

check_ports() {
  local port
  for port in "$orderer_port" "$admin_port" "$ops_port" "$org1_port" "$org1_cc_port" \
    "$org1_ops_port" "$org2_port" "$org2_cc_port" "$org2_ops_port"; do
    # A successful connect means something listens there.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "Port $port is in use (needed by the network; see the WEFT_*_PORT overrides" \
        "in $0). Stop what uses it and run again." >&2
      exit 1
    fi
  done
}

# wait_started <name> <line>: until <line> is in $net/<name>.log, or the process died.
wait_started() {
  local name="$1" line="$2"
  for _ in $(seq 600); do
    grep -q "$line" "$net/$name.log" && { grep "$line" "$net/$name.log"; return 0; }
    if ! kill -0 "$(cat "$net/$name.pid")" 2>/dev/null; then
      echo "$name exited; its log ($net/$name.log):" >&2
      cat "$net/$name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$name did not start in 60 s; its log ($net/$name.log):" >&2
  tail -50 "$net/$name.log" >&2
  exit 1
}

# The peer CLI environment of <org>'s admin, as test-network's setGlobals sets it.
cli_env() {
  local org="$1"
  echo "FABRIC_CFG_PATH=$net/config CORE_PEER_TLS_ENABLED=true" \
    "CORE_PEER_LOCALMSPID=Org${org}MSP" \
    "CORE_PEER_TLS_ROOTCERT_FILE=$(peer_ca "$org")" \
    "CORE_PEER_MSPCONFIGPATH=$(org_dir "$org")/users/Admin@org$org.example.com/msp" \
    "CORE_PEER_ADDRESS=localhost:$(peer_port "$org")"
}
as_org() {
  local org="$1"
  shift
  env $(cli_env "$org") "$@"
}

# start_peer <org> <port> <chaincode port> <operations port>
start_peer() {
  local org="$1" port="$2" cc_port="$3" ops="$4"
  local name="peer0.org$org"
  local peer_dir
  peer_dir="$(org_dir "$org")/peers/$name.example.com"
  (
    export FABRIC_CFG_PATH="$net/config"
    export CORE_PEER_ID="$name.example.com"
    export CORE_PEER_ADDRESS="localhost:$port"
    export CORE_PEER_LISTENADDRESS="127.0.0.1:$port"
    export CORE_PEER_CHAINCODELISTENADDRESS="127.0.0.1:$cc_port"
    export CORE_PEER_CHAINCODEADDRESS="127.0.0.1:$cc_port"
    export CORE_PEER_FILESYSTEMPATH="$net/$name-data"
    export CORE_PEER_MSPCONFIGPATH="$peer_dir/msp"
    export CORE_PEER_LOCALMSPID="Org${org}MSP"
    export CORE_PEER_TLS_ENABLED=true
    export CORE_PEER_TLS_CERT_FILE="$peer_dir/tls/server.crt"
    export CORE_PEER_TLS_KEY_FILE="$peer_dir/tls/server.key"
    export CORE_PEER_TLS_ROOTCERT_FILE="$peer_dir/tls/ca.crt"
    export CORE_PEER_TLS_CLIENTROOTCAS_FILES="[$peer_dir/tls/ca.crt]"
    export CORE_OPERATIONS_LISTENADDRESS="127.0.0.1:$ops"
    nohup "$bin/peer" node start > "$net/$name.log" 2>&1 &
    echo $! > "$net/$name.pid"
  )
  wait_started "$name" "peer started"
}

# one_line_pem <file>: the PEM with its line breaks written as \n (for JSON).
one_line_pem() { awk 'NF { printf "%s\\n", $0 }' "$1"; }
# indented_pem <file> <indent>: the PEM as a YAML block scalar's lines.
indented_pem() { sed "s/^/$2/" "$1"; }

# The connection profiles of test-network's organizations/ccp-generate.sh (its
# ccp-template.json/yaml), without the certificate authority: there is no fabric-ca.
write_connection_profiles() {
  local org
  for org in $orgs; do
    local dir port
    dir=$(org_dir "$org")
    port=$(peer_port "$org")
    cat > "$dir/connection-org$org.json" <<JSON
{
    "name": "test-network-org$org",
    "version": "1.0.0",
    "client": {
        "organization": "Org$org",
        "connection": {
            "timeout": {
                "peer": {
                    "endorser": "300"
                }
            }
        }
    },
    "organizations": {
        "Org$org": {
            "mspid": "Org${org}MSP",
            "peers": [
                "peer0.org$org.example.com"
            ]
        }
    },
    "channels": {
        "$channel": {
            "orderers": [
                "orderer.example.com"
            ],
            "peers": {
                "peer0.org$org.example.com": {
                    "endorsingPeer": true,
                    "chaincodeQuery": true,
                    "ledgerQuery": true,
                    "eventSource": true,
                    "discover": true
                }
            }
        }
    },
    "peers": {
        "peer0.org$org.example.com": {
            "url": "grpcs://localhost:$port",
            "tlsCACerts": {
                "pem": "$(one_line_pem "$(peer_ca "$org")")"
            },
            "grpcOptions": {
                "ssl-target-name-override": "peer0.org$org.example.com",
                "hostnameOverride": "peer0.org$org.example.com"
            }
        }
    },
    "orderers": {
        "orderer.example.com": {
            "url": "grpcs://localhost:$orderer_port",
            "tlsCACerts": {
                "pem": "$(one_line_pem "$orderer_ca")"
            },
            "grpcOptions": {
                "ssl-target-name-override": "orderer.example.com",
                "hostnameOverride": "orderer.example.com"
            }
        }
    }
}
JSON
    cat > "$dir/connection-org$org.yaml" <<YAML
---
name: test-network-org$org
version: 1.0.0
client:
  organization: Org$org
  connection:
    timeout:
      peer:
        endorser: '300'
organizations:
  Org$org:
    mspid: Org${org}MSP
    peers:
    - peer0.org$org.example.com
channels:
  $channel:
    orderers:
      - orderer.example.com
    peers:
      peer0.org$org.example.com:
        endorsingPeer: true
        chaincodeQuery: true
        ledgerQuery: true
        eventSource: true
        discover: true
peers:
  peer0.org$org.example.com:
    url: grpcs://localhost:$port
    tlsCACerts:
      pem: |
$(indented_pem "$(peer_ca "$org")" "          ")
    grpcOptions:
      ssl-target-name-override: peer0.org$org.example.com
      hostnameOverride: peer0.org$org.example.com
orderers:
  orderer.example.com:
    url: grpcs://localhost:$orderer_port
    tlsCACerts:
      pem: |
$(indented_pem "$orderer_ca" "          ")
    grpcOptions:
      ssl-target-name-override: orderer.example.com
      hostnameOverride: orderer.example.com
YAML
    echo "Wrote $dir/connection-org$org.json and .yaml"
  done
}

# app <org> <function> [args...]: the sample client through <org>'s peer's Gateway,
# as User1 of that org, with fabric-samples' environment variables.
app() {
  local org="$1"
  shift
  local dir
  dir=$(org_dir "$org")
  echo "== Org$org's User1 through peer0.org$org's Gateway (localhost:$(peer_port "$org"))"
  CHANNEL_NAME="$channel" CHAINCODE_NAME=basic MSP_ID="Org${org}MSP" CRYPTO_PATH="$dir" \
    PEER_ENDPOINT="localhost:$(peer_port "$org")" PEER_HOST_ALIAS="peer0.org$org.example.com" \
    "$bin/asset-transfer-basic-app" "$@" | grep -v "^[a-zA-Z]*: " || return 1
}

up() {
  stop_all
  check_ports
  rm -rf "$net"
  mkdir -p "$net/config"
  # The sample configs (commented there); peers, orderer, CLI and configtxgen read
  # them from $net/config, the generated material is next to it.
  cp "$repo/deploy/network/core.yaml" "$repo/deploy/network/orderer.yaml" "$net/config/"
  cp "$repo/deploy/network/crypto-config.yaml" "$net/"
  sed -e "s/localhost:7050/localhost:$orderer_port/" -e "s/Port: 7051/Port: $org1_port/" \
    -e "s/Port: 9051/Port: $org2_port/" -e "s/BatchTimeout: 1s/BatchTimeout: $batch_timeout/" \
    -e "s/MaxMessageCount: 10/MaxMessageCount: $max_message_count/" \
    "$repo/deploy/network/configtx.yaml" > "$net/configtx.yaml"
  # The one-org profile: TwoOrgsApplicationGenesis without Org2 (Profiles is the last section).
  cat >> "$net/configtx.yaml" <<'YAML'
  OneOrgApplicationGenesis:
    <<: *ChannelDefaults
    Orderer:
      <<: *OrdererDefaults
      Organizations:
        - *OrdererOrg
      Capabilities: *OrdererCapabilities
    Application:
      <<: *ApplicationDefaults
      Organizations:
        - *Org1
      Capabilities: *ApplicationCapabilities
YAML

  echo "== 1. Identities (cryptogen) in $orgs_dir"
  "$bin/cryptogen" generate --config "$net/crypto-config.yaml" --output "$orgs_dir"

  echo "== 2. Genesis block of channel '$channel' (configtxgen, profile $profile)"
  "$bin/configtxgen" -profile "$profile" -channelID "$channel" \
    -outputBlock "$net/$channel.block" -configPath "$net"

  echo "== 3. Solo orderer on localhost:$orderer_port, TLS (admin :$admin_port, operations :$ops_port)"
  (
    export FABRIC_CFG_PATH="$net/config"
    export ORDERER_GENERAL_LISTENADDRESS=127.0.0.1
    export ORDERER_GENERAL_LISTENPORT="$orderer_port"
    export ORDERER_FILELEDGER_LOCATION="$net/orderer-data"
    export ORDERER_ADMIN_LISTENADDRESS="127.0.0.1:$admin_port"
    export ORDERER_OPERATIONS_LISTENADDRESS="127.0.0.1:$ops_port"
    nohup "$bin/orderer" start > "$net/orderer.log" 2>&1 &
    echo $! > "$net/orderer.pid"
  )
  wait_started orderer "orderer started"
  "$bin/osnadmin" channel join --channelID "$channel" --config-block "$net/$channel.block" \
    -o "127.0.0.1:$admin_port"

  echo "== 4. peer0.org1 on localhost:$org1_port and peer0.org2 on localhost:$org2_port, TLS"
  start_peer 1 "$org1_port" "$org1_cc_port" "$org1_ops_port"
  [ "$orgs" = "1" ] || start_peer 2 "$org2_port" "$org2_cc_port" "$org2_ops_port"
  for org in $orgs; do as_org "$org" "$bin/peer" channel join -b "$net/$channel.block"; done
  as_org 1 "$bin/peer" channel list

  echo "== 5. Chaincode 'basic' (C++ asset-transfer-basic) through _lifecycle, as both orgs"
  # test-network's scripts/deployCC.sh, step by step.
  local package="$net/basic.tar.gz"
  as_org 1 "$bin/peer" lifecycle chaincode package "$package" \
    --path "$bin/asset-transfer-basic" --lang binary --label basic_1.0
  local package_id
  package_id=$(as_org 1 "$bin/peer" lifecycle chaincode calculatepackageid "$package")
  echo "Package ID: $package_id"
  local orderer_flags=(-o "localhost:$orderer_port" --ordererTLSHostnameOverride orderer.example.com
    --tls --cafile "$orderer_ca")
  local org
  for org in $orgs; do
    as_org "$org" "$bin/peer" lifecycle chaincode install "$package"
    as_org "$org" "$bin/peer" lifecycle chaincode queryinstalled
  done
  for org in $orgs; do
    as_org "$org" "$bin/peer" lifecycle chaincode approveformyorg "${orderer_flags[@]}" \
      --channelID "$channel" --name basic --version 1.0 --package-id "$package_id" --sequence 1
    echo "Org${org}MSP approved basic 1.0, sequence 1"
  done
  # Both approvals must be visible on both peers before the commit (they arrive in blocks).
  local readiness=""
  for org in $orgs; do
    for _ in $(seq 150); do
      readiness=$(as_org "$org" "$bin/peer" lifecycle chaincode checkcommitreadiness \
        --channelID "$channel" --name basic --version 1.0 --sequence 1 --output json)
      [[ "$readiness" == *'"Org1MSP": true'* ]] &&
        [[ "$orgs" = "1" || "$readiness" == *'"Org2MSP": true'* ]] && break
      sleep 0.2
    done
    echo "peer0.org$org: checkcommitreadiness $(echo "$readiness" | tr -d ' \n')"
  done
  local peer_flags=()
  for org in $orgs; do
    peer_flags+=(--peerAddresses "localhost:$(peer_port "$org")" --tlsRootCertFiles "$(peer_ca "$org")")
  done
  as_org 1 "$bin/peer" lifecycle chaincode commit "${orderer_flags[@]}" \
    --channelID "$channel" --name basic --version 1.0 --sequence 1 "${peer_flags[@]}"
  for org in $orgs; do
    local committed=""
    for _ in $(seq 150); do
      committed=$(as_org "$org" "$bin/peer" lifecycle chaincode querycommitted \
        --channelID "$channel" --name basic 2>&1) && break
      sleep 0.2
    done
    echo "peer0.org$org: $committed"
  done

  echo "== 6. Connection profiles (as test-network's ccp-generate.sh)"
  write_connection_profiles

  echo "== 7. Transactions through the Gateway (client-sdk/samples/asset-transfer-basic-app)"
  app 1 InitLedger
  app 1 TransferAsset asset6 Christopher
  app 1 ReadAsset asset6
  [ "$orgs" = "1" ] || app 2 ReadAsset asset6
  if [ "$orgs" = "1" ]; then
    echo "The one-org network keeps running (logs in $net): orderer localhost:$orderer_port," \
      "peer0.org1 localhost:$org1_port. Stop it with ./deploy/down.sh."
    return 0
  fi

  local org1_dir org2_dir
  org1_dir=$(org_dir 1)
  org2_dir=$(org_dir 2)
  cat <<MSG

The network keeps running (logs in $net):
  orderer     localhost:$orderer_port  pid $(cat "$net/orderer.pid"), health http://127.0.0.1:$ops_port/healthz
  peer0.org1  localhost:$org1_port  pid $(cat "$net/peer0.org1.pid"), health http://127.0.0.1:$org1_ops_port/healthz
  peer0.org2  localhost:$org2_port  pid $(cat "$net/peer0.org2.pid"), health http://127.0.0.1:$org2_ops_port/healthz
Channel '$channel' has chaincode 'basic' (asset-transfer-basic); asset6 now belongs to Christopher.

To use the peer CLI as Org1's admin:
  export PATH=$bin:\$PATH
  export $(cli_env 1)
  peer chaincode query -C $channel -n basic -c '{"Args":["ReadAsset","asset6"]}'
As Org2's admin:
  export $(cli_env 2)
  peer chaincode invoke -o localhost:$orderer_port --ordererTLSHostnameOverride orderer.example.com --tls --cafile $orderer_ca -C $channel -n basic --peerAddresses localhost:$org1_port --tlsRootCertFiles $(peer_ca 1) --peerAddresses localhost:$org2_port --tlsRootCertFiles $(peer_ca 2) -c '{"Args":["TransferAsset","asset1","Ana"]}'

For a fabric-samples application (e.g. asset-transfer-basic/application-gateway-typescript):
  export CRYPTO_PATH=$org1_dir PEER_ENDPOINT=localhost:$org1_port
or the same in C++:
  CRYPTO_PATH=$org1_dir PEER_ENDPOINT=localhost:$org1_port $bin/asset-transfer-basic-app
  CRYPTO_PATH=$org2_dir PEER_ENDPOINT=localhost:$org2_port MSP_ID=Org2MSP $bin/asset-transfer-basic-app ReadAsset asset6
Connection profiles: $org1_dir/connection-org1.{json,yaml}, $org2_dir/connection-org2.{json,yaml}
Stop everything with ./deploy/down.sh (./deploy/down.sh --clean also removes $net).
MSG
}

case "${1:-}" in
  up) up ;;
  down)
    stop_all
    if [ "${2:-}" = "--clean" ]; then
      rm -rf "$net"
      echo "Weft network stopped; removed $net."
    else
      echo "Weft network stopped (data kept in $net)."
    fi
    ;;
  *) echo "usage: $0 up | down [--clean]" >&2; exit 2 ;;
esac
