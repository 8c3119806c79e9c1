'use strict';
// Golden values for Weft's peer ledger, computed outside Weft: Fabric v2.5's
// rules written out in JavaScript over Fabric's published protos
// (@hyperledger/fabric-protos) and Node's own SHA-256. Prints one JSON object
// {name: hex}; ledger_golden_test.cpp produces the same values with Weft's
// ledger and requires byte equality. The inputs (keys, versions, blocks) are
// described next to each builder and must match the C++ test.

const crypto = require('crypto');
const { common, ledger } = require('@hyperledger/fabric-protos');

const kvrwset = ledger.rwset.kvrwset;

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest();

// ---- Range queries (txmgmt/rwsetutil/query_results_helper.go) ----

// Fabric's maxDegreeQueryReadsHashing.
const MAX_DEGREE = 50;

// Key i of the seeded namespace and the version it was written at.
function seededKey(i) {
  return 'key' + String(i).padStart(5, '0');
}
function seededVersion(i) {
  return [Math.floor(i / 7) + 1, i % 7];
}

function kvRead(key, [blockNum, txNum]) {
  const version = new kvrwset.Version();
  version.setBlockNum(blockNum);
  version.setTxNum(txNum);
  const read = new kvrwset.KVRead();
  read.setKey(key);
  read.setVersion(version);
  return read;
}

// Fabric's RangeQueryResultsHelper with hashing enabled: raw reads up to
// maxDegree results, beyond that a Merkle tree whose leaves hash the
// serialized QueryReads of maxDegree + 1 results and whose nodes hash the
// concatenation of maxDegree + 1 children; only the top level is kept.
function rangeQueryResults(reads, maxDegree) {
  let pending = [];
  const tree = new Map(); // level -> [hash]
  let maxLevel = 1;
  const level = (n) => tree.get(n) || [];
  const combine = (hashes) => sha256(Buffer.concat(hashes));

  function addLeaf(hash) {
    let current = 1;
    tree.set(current, [...level(current), hash]);
    while (level(current).length > maxDegree) {
      const parent = combine(level(current));
      tree.delete(current);
      current += 1;
      tree.set(current, [...level(current), parent]);
      if (current > maxLevel) maxLevel = current;
    }
  }
  function hashPending() {
    const queryReads = new kvrwset.QueryReads();
    queryReads.setKvReadsList(pending);
    pending = [];
    addLeaf(sha256(Buffer.from(queryReads.serializeBinary())));
  }

  for (const read of reads) {
    pending.push(read);
    if (pending.length > maxDegree) hashPending();
  }
  if (maxLevel === 1 && level(1).length === 0) return { rawReads: pending };
  if (pending.length > 0) hashPending();
  for (let current = 1; current < maxLevel; current++) {
    const hashes = level(current);
    if (hashes.length === 0) continue;
    const carried = hashes.length === 1 ? hashes[0] : combine(hashes);
    tree.delete(current);
    tree.set(current + 1, [...level(current + 1), carried]);
  }
  let top = level(maxLevel);
  if (top.length > maxDegree) {
    top = [combine(top)];
    maxLevel += 1;
  }
  const summary = new kvrwset.QueryReadsMerkleSummary();
  summary.setMaxDegree(maxDegree);
  summary.setMaxLevel(maxLevel);
  summary.setMaxLevelHashesList(top);
  return { summary };
}

// The RangeQueryInfo a simulator records for a full scan ("" to "", read to
// the end) of a namespace holding seededKey(0..count-1): raw_reads only when
// there were results, reads_merkle_hashes beyond MAX_DEGREE results.
function fullScanInfo(count) {
  const reads = [];
  for (let i = 0; i < count; i++) reads.push(kvRead(seededKey(i), seededVersion(i)));
  const info = new kvrwset.RangeQueryInfo();
  info.setStartKey('');
  info.setEndKey('');
  info.setItrExhausted(true);
  const { rawReads, summary } = rangeQueryResults(reads, MAX_DEGREE);
  if (summary) {
    info.setReadsMerkleHashes(summary);
  } else if (rawReads.length > 0) {
    const queryReads = new kvrwset.QueryReads();
    queryReads.setKvReadsList(rawReads);
    info.setRawReads(queryReads);
  }
  return info;
}

// ---- COMMIT_HASH (kv_ledger.go addBlockCommitHash, txmgr/update_batch_bytes.go) ----

// Fabric's EncodeOrderPreservingVarUint64: the count of significant
// big-endian bytes, then those bytes.
function orderPreservingVarUint64(number) {
  const bytes = [];
  for (let n = BigInt(number); n > 0n; n >>= 8n) bytes.unshift(Number(n & 0xffn));
  return Buffer.from([bytes.length, ...bytes]);
}

// Protobuf base-128 varint.
function varint(number) {
  const bytes = [];
  let n = number;
  while (n >= 0x80) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

function lengthDelimited(field, bytes) {
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), Buffer.from(bytes)]);
}

// txmgr.KVWrite {namespace 1, collection 2, key 3, isDelete 4, value 5,
// version_bytes 6}, proto3: empty fields are not written.
function kvWriteBytes({ namespace, collection, key, value, isDelete, blockNum, txNum }) {
  const parts = [];
  if (namespace) parts.push(lengthDelimited(1, Buffer.from(namespace)));
  if (collection) parts.push(lengthDelimited(2, Buffer.from(collection)));
  if (key) parts.push(lengthDelimited(3, Buffer.from(key)));
  if (isDelete) parts.push(Buffer.from([(4 << 3) | 0, 1]));
  if (!isDelete && value) parts.push(lengthDelimited(5, Buffer.from(value)));
  const versionBytes = Buffer.concat([orderPreservingVarUint64(blockNum), orderPreservingVarUint64(txNum)]);
  parts.push(lengthDelimited(6, versionBytes));
  return Buffer.concat(parts);
}

// txmgr.Updates {repeated KVWrite kvwrites = 1} for `writes`, given in
// Fabric's order (namespaces sorted; in each, public writes by key, then each
// collection's hashed writes by key hash, collections sorted); the namespace
// (collection) only on the first write of each namespace (collection),
// namespace "" skipped.
function updateBatchBytes(writes) {
  const parts = [];
  let previous = { namespace: null, collection: null };
  for (const write of writes) {
    if (write.namespace === '') continue;
    const collection = write.collection || '';
    const firstOfNamespace = write.namespace !== previous.namespace;
    const firstOfCollection = firstOfNamespace || collection !== previous.collection;
    previous = { namespace: write.namespace, collection };
    parts.push(
      lengthDelimited(
        1,
        kvWriteBytes({
          ...write,
          namespace: firstOfNamespace ? write.namespace : '',
          collection: firstOfCollection ? collection : '',
        }),
      ),
    );
  }
  return Buffer.concat(parts);
}

function commitHash(filter, writes, previousHash) {
  return sha256(Buffer.concat([varint(filter.length), Buffer.from(filter), updateBatchBytes(writes), previousHash]));
}

// The blocks of ledger_golden_test.cpp. Block 0 (genesis) gets no hash.
// Block 1: tx 0 VALID writes cc/"" = "e", cc/a = "1", deletes cc/b, writes
// dd/x = "y", and hashed writes: in cc's collection "c2" key hash "h2" ->
// value hash "v2", in cc's "c1" "h1" -> "v1" and a delete of "h0", in "bb"
// (no public writes) collection "c" "k" -> "v"; tx 1 has a stale read
// (MVCC_READ_CONFLICT = 11).
const VALID = 0;
const MVCC_READ_CONFLICT = 11;
const hash1 = commitHash(
  [VALID, MVCC_READ_CONFLICT],
  [
    { namespace: 'bb', collection: 'c', key: 'k', value: 'v', blockNum: 1, txNum: 0 },
    { namespace: 'cc', key: '', value: 'e', blockNum: 1, txNum: 0 },
    { namespace: 'cc', key: 'a', value: '1', blockNum: 1, txNum: 0 },
    { namespace: 'cc', key: 'b', isDelete: true, blockNum: 1, txNum: 0 },
    { namespace: 'cc', collection: 'c1', key: 'h0', isDelete: true, blockNum: 1, txNum: 0 },
    { namespace: 'cc', collection: 'c1', key: 'h1', value: 'v1', blockNum: 1, txNum: 0 },
    { namespace: 'cc', collection: 'c2', key: 'h2', value: 'v2', blockNum: 1, txNum: 0 },
    { namespace: 'dd', key: 'x', value: 'y', blockNum: 1, txNum: 0 },
  ],
  Buffer.alloc(0),
);
// Block 2: 257 VALID transactions; only the last (tx 256) writes, cc/k = "v".
const hash2 = commitHash(
  new Array(257).fill(VALID),
  [{ namespace: 'cc', key: 'k', value: 'v', blockNum: 2, txNum: 256 }],
  hash1,
);

const hex = (bytes) => Buffer.from(bytes).toString('hex');

const golden = {};
for (const count of [0, 1, 50, 51, 2600]) {
  golden[`range_query_info/${count}`] = hex(fullScanInfo(count).serializeBinary());
}
for (const [number, hash] of [[1, hash1], [2, hash2]]) {
  const metadata = new common.Metadata();
  metadata.setValue(hash);
  golden[`commit_hash_metadata/${number}`] = hex(metadata.serializeBinary());
}
process.stdout.write(JSON.stringify(golden) + '\n');
