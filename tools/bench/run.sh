#!/usr/bin/env bash
# tools/bench/run.sh OUTDIR: the standard end-to-end scenarios on a local network this
# script starts (deploy/network.sh on free ports, in OUTDIR/<scenario>.network) and stops.
# Per scenario it runs weft-bench through org1's Gateway, takes the difference of each
# node's ECDSA counters on its operations endpoint's /metrics (crypto_ecdsa_signs_count,
# crypto_ecdsa_verifies_count) over the run, adds weft-bench's own counts (its --json
# result's "ecdsa"), and measures the machine's ECDSA P-256 rates with `openssl speed`;
# OUTDIR/results.json is a list of
#   {name, committed_tps, p50_ms, p99_ms, codes, signs_per_tx, verifies_per_tx, ceiling_tps}
# with ceiling_tps = cores / (verifies_per_tx / verify_rate + signs_per_tx / sign_rate),
# plus the rates, weft-bench's full result and the counter deltas per process.
#
# Scenarios, each on its own fresh network (solo orderer, the chaincode's default
# MAJORITY endorsement policy), one after the other:
#   create-1org  one org, one peer: 1-of-1 endorsement (WEFT_ORGS=1)
#   create-2org  two orgs, a peer each: both peers endorse, both commit
# Environment: WEFT_BUILD_DIR (default ./build), BENCH_CLIENTS (128), BENCH_DURATION
# seconds (30), BENCH_TX_COUNT (when set, each scenario runs that many transactions
# instead of a duration), BENCH_RATE (0 = closed loop), BENCH_BATCH_TIMEOUT (250ms),
# BENCH_MAX_MESSAGE_COUNT (500), BENCH_SCENARIOS (both, in the order above),
# BENCH_LOAD_SECONDS (0; when set, each scenario then runs
# that long at 70 % of the committed tx/s it measured, with BENCH_LOAD_CLIENTS (512)
# clients, sampling the nodes' RSS: results.json gets "load_70pct" with its latency
# and each node's RSS growth).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$(realpath -m "$1")"
export WEFT_BUILD_DIR="$(realpath -m "${WEFT_BUILD_DIR:-$repo/build}")"
bin="$WEFT_BUILD_DIR/bin"
clients="${BENCH_CLIENTS:-128}"
duration="${BENCH_DURATION:-30}"
tx_count="${BENCH_TX_COUNT:-}"
rate="${BENCH_RATE:-0}"
load_seconds="${BENCH_LOAD_SECONDS:-0}"
scenarios="${BENCH_SCENARIOS:-create-1org create-2org}"
load_clients="${BENCH_LOAD_CLIENTS:-512}"
for program in peer orderer cryptogen configtxgen osnadmin asset-transfer-basic \
  asset-transfer-basic-app weft-bench; do
  if [ ! -f "$bin/$program" ]; then
    echo "$bin/$program is missing: build it first (see tools/bench/README.md)" >&2
    exit 1
  fi
done
mkdir -p "$out"

export WEFT_BATCH_TIMEOUT="${BENCH_BATCH_TIMEOUT:-250ms}"
export WEFT_MAX_MESSAGE_COUNT="${BENCH_MAX_MESSAGE_COUNT:-500}"

echo "== ECDSA P-256 rates (openssl speed -seconds 2 ecdsap256)"
speed=$(openssl speed -seconds 2 ecdsap256 2>/dev/null |
  awk '/nistp256/ { print $(NF-1), $NF }')
sign_rate="${speed%% *}"
verify_rate="${speed##* }"
cores=$(nproc)
echo "sign/s $sign_rate verify/s $verify_rate, $cores cores"

# The network of the running scenario, stopped on any exit.
network_down() {
  [ -n "${WEFT_NETWORK_DIR:-}" ] || return 0
  "$repo/deploy/network.sh" down >> "$out/network-down.log" 2>&1 || true
}
trap network_down EXIT

# network_up <orgs> <folder>: deploy/network.sh's network with <orgs> orgs on free ports.
network_up() {
  export WEFT_ORGS="$1" WEFT_NETWORK_DIR="$2"
  # Nine free ports on 127.0.0.1, held until all are chosen so that they differ.
  local ports
  mapfile -t ports < <(python3 - <<'PY'
import socket
socks = []
for _ in range(9):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
PY
  )
  export WEFT_ORDERER_PORT="${ports[0]}" WEFT_ORDERER_ADMIN_PORT="${ports[1]}"
  export WEFT_ORDERER_OPS_PORT="${ports[2]}"
  export WEFT_ORG1_PEER_PORT="${ports[3]}" WEFT_ORG1_CC_PORT="${ports[4]}"
  export WEFT_ORG1_OPS_PORT="${ports[5]}"
  export WEFT_ORG2_PEER_PORT="${ports[6]}" WEFT_ORG2_CC_PORT="${ports[7]}"
  export WEFT_ORG2_OPS_PORT="${ports[8]}"
  echo "== Network of $1 org(s) in $WEFT_NETWORK_DIR (log: $WEFT_NETWORK_DIR.up.log)"
  if ! "$repo/deploy/network.sh" up > "$WEFT_NETWORK_DIR.up.log" 2>&1; then
    echo "network.sh up failed; the end of $WEFT_NETWORK_DIR.up.log:" >&2
    tail -30 "$WEFT_NETWORK_DIR.up.log" >&2
    exit 1
  fi
}

# counters <orgs>: "<node> <signs> <verifies>" per node of the running network, read
# from the crypto_ecdsa_* counters of its /metrics (network.sh's operations endpoints
# are plain HTTP on 127.0.0.1). Reads until two reads a second apart agree, so that
# a peer still committing the last block is waited for.
counters() {
  local nodes=("orderer $WEFT_ORDERER_OPS_PORT" "peer0.org1 $WEFT_ORG1_OPS_PORT")
  if [ "$1" -ge 2 ]; then nodes+=("peer0.org2 $WEFT_ORG2_OPS_PORT"); fi
  python3 - "${nodes[@]}" <<'PY'
import sys, time, urllib.request
nodes = [arg.split() for arg in sys.argv[1:]]
def sample(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[1]))
    raise SystemExit(f"run.sh: {name} is not on the node's /metrics")
def read():
    table = []
    for node, port in nodes:
        url = f"http://127.0.0.1:{port}/metrics"
        text = urllib.request.urlopen(url, timeout=10).read().decode()
        table.append(f"{node} {sample(text, 'crypto_ecdsa_signs_count')} "
                     f"{sample(text, 'crypto_ecdsa_verifies_count')}")
    return table
table = read()
for _ in range(30):
    time.sleep(1)
    again = read()
    if again == table:
        break
    table = again
print("\n".join(table))
PY
}

# load_phase <name> [weft-bench flags]: on the scenario's network, weft-bench at 70 % of
# the committed tx/s the closed-loop run just measured, for $load_seconds, while the
# nodes' resident memory is sampled every 5 s into <name>.rss
# ("<seconds> <node> <VmRSS kB> <RssAnon kB> <RssFile kB>" lines).
load_phase() {
  local name="$1"
  shift
  local org1="$WEFT_NETWORK_DIR/organizations/peerOrganizations/org1.example.com"
  local load_rate
  load_rate=$(python3 -c "import json,sys; print(max(1, round(0.7 * json.load(open(sys.argv[1]))['committed_tps'])))" \
    "$out/$name.bench.json")
  echo "== Scenario $name at 70 % load: $load_rate tx/s for $load_seconds s"
  (
    start=$SECONDS
    while true; do
      for pid_file in "$WEFT_NETWORK_DIR"/*.pid; do
        # VmRSS, and its anonymous (heap, stacks) and file-backed (mapped files) parts.
        rss=$(awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
                   END { if (r != "") print r, a, f }' "/proc/$(cat "$pid_file")/status" \
          2>/dev/null) || true
        [ -n "$rss" ] && echo "$((SECONDS - start)) $(basename "$pid_file" .pid) $rss"
      done
      sleep 5
    done
  ) > "$out/$name.rss" &
  local sampler=$!
  "$bin/weft-bench" --peer "localhost:$WEFT_ORG1_PEER_PORT" \
    --tls-ca "$org1/peers/peer0.org1.example.com/tls/ca.crt" \
    --host-alias peer0.org1.example.com \
    --msp-dir "$org1/users/User1@org1.example.com/msp" --msp-id Org1MSP \
    --channel mychannel --chaincode basic --clients "$load_clients" --rate "$load_rate" \
    --duration "$load_seconds" --name "$name-70pct" --json "$out/$name.load.json" "$@" \
    > "$out/$name.load.log"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  tail -4 "$out/$name.load.log"
}

# scenario <name> <orgs> [weft-bench flags]: a fresh network, weft-bench through
# org1's Gateway, the counts before and after, the network's pid files, then down.
scenario() {
  local name="$1" orgs="$2"
  shift 2
  network_up "$orgs" "$out/$name.network"
  local org1="$WEFT_NETWORK_DIR/organizations/peerOrganizations/org1.example.com"
  echo "== Scenario $name"
  counters "$orgs" > "$out/$name.counters-before"
  local run_flags=(--duration "$duration")
  [ -n "$tx_count" ] && run_flags=(--tx-count "$tx_count")
  "$bin/weft-bench" --peer "localhost:$WEFT_ORG1_PEER_PORT" \
    --tls-ca "$org1/peers/peer0.org1.example.com/tls/ca.crt" \
    --host-alias peer0.org1.example.com \
    --msp-dir "$org1/users/User1@org1.example.com/msp" --msp-id Org1MSP \
    --channel mychannel --chaincode basic --clients "$clients" --rate "$rate" \
    "${run_flags[@]}" --name "$name" --json "$out/$name.bench.json" "$@" | tee "$out/$name.log"
  counters "$orgs" > "$out/$name.counters-after"
  if [ "$load_seconds" -gt 0 ]; then load_phase "$name" "$@"; fi
  # Which pid is which node, so that the smoke test can check they stopped (down
  # removes the pid files).
  for pid_file in "$WEFT_NETWORK_DIR"/*.pid; do
    echo "$(cat "$pid_file") $(basename "$pid_file" .pid)"
  done > "$out/$name.nodes"
  network_down
  unset WEFT_NETWORK_DIR
}

for name in $scenarios; do
  case "$name" in
    create-1org) scenario create-1org 1 --workload create ;;
    create-2org) scenario create-2org 2 --workload create ;;
    *)
      echo "unknown scenario '$name' in BENCH_SCENARIOS (create-1org, create-2org)" >&2
      exit 2
      ;;
  esac
done

# shellcheck disable=SC2086 # the scenario names are words
python3 - "$out" "$sign_rate" "$verify_rate" "$cores" $scenarios <<'PY'
import json, os, sys
out, sign_rate, verify_rate, cores = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
def read_counters(path):
    table = {}
    for line in open(path):
        name, signs, verifies = line.split()
        table[name] = (int(signs), int(verifies))
    return table
results = []
for name in sys.argv[5:]:
    bench = json.load(open(f"{out}/{name}.bench.json"))
    before, after = read_counters(f"{out}/{name}.counters-before"), read_counters(f"{out}/{name}.counters-after")
    # Per node (orderer, peer0.org1, ...): the operations during the scenario, from its
    # /metrics; weft-bench's from its own result.
    per_process = {}
    for node, (signs, verifies) in after.items():
        old_signs, old_verifies = before[node]
        per_process[node] = {"signs": signs - old_signs, "verifies": verifies - old_verifies}
    per_process["weft-bench"] = {"signs": bench["ecdsa"]["signs"],
                                 "verifies": bench["ecdsa"]["verifies"]}
    signs = sum(p["signs"] for p in per_process.values())
    verifies = sum(p["verifies"] for p in per_process.values())
    # Every transaction that reached a commit status counts (any validation code).
    committed = sum(count for code, count in bench["codes"].items() if not code.endswith("ERROR"))
    signs_per_tx = signs / committed if committed else 0.0
    verifies_per_tx = verifies / committed if committed else 0.0
    cost = verifies_per_tx / verify_rate + signs_per_tx / sign_rate
    results.append({
        "name": name,
        "committed_tps": bench["committed_tps"],
        "p50_ms": bench["p50_ms"],
        "p99_ms": bench["p99_ms"],
        "codes": bench["codes"],
        "signs_per_tx": signs_per_tx,
        "verifies_per_tx": verifies_per_tx,
        "ceiling_tps": cores / cost if cost > 0 else 0.0,
        "cores": cores,
        "sign_rate": sign_rate,
        "verify_rate": verify_rate,
        "ecdsa_per_process": per_process,
        "bench": bench,
    })
    # The run at 70 % of the measured maximum, when BENCH_LOAD_SECONDS asked for it:
    # its latency, and each node's resident memory over it (the first sample after
    # the first minute, or the first one, against the last).
    if os.path.exists(f"{out}/{name}.load.json"):
        load = json.load(open(f"{out}/{name}.load.json"))
        rss = {}
        for line in open(f"{out}/{name}.rss"):
            seconds, node, *kb = line.split()
            rss.setdefault(node, []).append((int(seconds), [int(k) for k in kb]))
        memory = {}
        for node, samples in rss.items():
            settled = [kb for seconds, kb in samples if seconds >= 60] or [kb for _, kb in samples]
            first, last = settled[0], samples[-1][1]
            memory[node] = {"start_kb": first[0], "end_kb": last[0],
                            "max_kb": max(kb[0] for _, kb in samples),
                            "growth_pct": 100.0 * (last[0] - first[0]) / first[0]}
            # The anonymous part (heap, stacks) apart from the mapped files (LevelDB's
            # tables grow with the ledger).
            if len(first) == 3:
                memory[node].update({"anon_start_kb": first[1], "anon_end_kb": last[1],
                                     "anon_growth_pct": 100.0 * (last[1] - first[1]) / first[1],
                                     "file_start_kb": first[2], "file_end_kb": last[2]})
        results[-1]["load_70pct"] = {
            "offered_tps": load["offered_tps"], "committed_tps": load["committed_tps"],
            "p50_ms": load["p50_ms"], "p99_ms": load["p99_ms"], "codes": load["codes"],
            "seconds": load["elapsed_s"], "rss": memory}
json.dump(results, open(f"{out}/results.json", "w"), indent=2)
for r in results:
    print(f"{r['name']}: committed {r['committed_tps']:.1f} tx/s, p50 {r['p50_ms']:.0f} ms, "
          f"p99 {r['p99_ms']:.0f} ms, {r['signs_per_tx']:.2f} signs and {r['verifies_per_tx']:.2f} "
          f"verifies per tx, ceiling {r['ceiling_tps']:.0f} tx/s "
          f"({100 * r['committed_tps'] / r['ceiling_tps'] if r['ceiling_tps'] else 0:.1f} % of it)")
    if "load_70pct" in r:
        load = r["load_70pct"]
        print(f"  at 70 %: offered {load['offered_tps']:.1f} tx/s, committed {load['committed_tps']:.1f} "
              f"tx/s, p50 {load['p50_ms']:.0f} ms, p99 {load['p99_ms']:.0f} ms; RSS growth " +
              ", ".join(f"{node} {m['growth_pct']:+.1f} % (anon {m.get('anon_growth_pct', 0):+.1f} %)"
                        for node, m in sorted(load["rss"].items())))
PY
echo "Wrote $out/results.json"
