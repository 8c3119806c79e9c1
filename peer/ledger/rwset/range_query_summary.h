// The results of one range query as Fabric records them in a RangeQueryInfo
// (txmgmt/rwsetutil/query_results_helper.go): up to max_degree results are
// kept as raw KVReads; beyond that they are summarised in a Merkle tree whose
// leaves are SHA-256 of serialized QueryReads of max_degree + 1 consecutive
// results and whose inner nodes hash the concatenation of max_degree + 1
// children; the summary is the top level (at most max_degree hashes).
// Used by the simulator (recording) and by MVCC validation (recomputing).
// Thread-safety: not thread-safe (one per range query).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status/status.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"

namespace weft::peer::ledger::rwset {

// Fabric's maxDegreeQueryReadsHashing.
inline constexpr uint32_t kRangeQueryMaxDegree = 50;

class RangeQueryResults {
 public:
  struct Recorded {
    std::vector<::kvrwset::KVRead> raw_reads;  // empty when summarised or no results
    std::optional<::kvrwset::QueryReadsMerkleSummary> summary;
  };

  // InvalidArgument when hashing with max_degree < 2 (Fabric refuses it too).
  [[nodiscard]] static StatusOr<RangeQueryResults> Create(bool hashing, uint32_t max_degree);

  void AddResult(::kvrwset::KVRead read);
  // What to record for the results added so far (the tree completed as
  // Fabric's Done does, on a copy: more results may still be added).
  Recorded Finish() const;

 private:
  RangeQueryResults(bool hashing, uint32_t max_degree)
      : hashing_(hashing), max_degree_(max_degree) {}
  using Tree = std::map<uint32_t, std::vector<std::string>>;  // level (1 = leaves) -> hashes

  // Hashes `pending` (emptied) into one leaf of `tree`.
  void HashResults(std::vector<::kvrwset::KVRead>& pending, Tree& tree, uint32_t& max_level) const;

  bool hashing_;
  uint32_t max_degree_;
  std::vector<::kvrwset::KVRead> pending_;
  Tree tree_;
  uint32_t max_level_ = 1;
};

// Writes `recorded` into `info` as Fabric does: raw_reads only when there
// were results and no summary, reads_merkle_hashes when summarised.
void SetRecordedResults(RangeQueryResults::Recorded recorded, ::kvrwset::RangeQueryInfo& info);

}  // namespace weft::peer::ledger::rwset
