#include "peer/ledger/rwset/range_query_summary.h"

#include "absl/strings/str_cat.h"
#include "common/crypto/hash.h"
#include "common/protoutil/serialize.h"

namespace weft::peer::ledger::rwset {
namespace {

std::string CombinedHash(const std::vector<std::string>& hashes) {
  common::crypto::Sha256Hasher hasher;
  for (const auto& hash : hashes) hasher.Update(hash);
  return hasher.Finish();
}

}  // namespace

StatusOr<RangeQueryResults> RangeQueryResults::Create(bool hashing, uint32_t max_degree) {
  if (hashing && max_degree < 2) {
    return absl::InvalidArgumentError(absl::StrCat("range query Merkle summary has max degree ",
                                                   max_degree, "; it must be at least 2"));
  }
  return RangeQueryResults(hashing, max_degree);
}

void RangeQueryResults::AddResult(::kvrwset::KVRead read) {
  pending_.push_back(std::move(read));
  if (hashing_ && pending_.size() > max_degree_) HashResults(pending_, tree_, max_level_);
}

void RangeQueryResults::HashResults(std::vector<::kvrwset::KVRead>& pending, Tree& tree,
                                    uint32_t& max_level) const {
  ::kvrwset::QueryReads reads;
  for (auto& read : pending) *reads.add_kv_reads() = std::move(read);
  pending.clear();
  uint32_t level = 1;
  tree[level].push_back(common::crypto::Sha256(common::protoutil::DeterministicSerialize(reads)));
  // A level that outgrows max_degree collapses into one node of the next.
  while (tree[level].size() > max_degree_) {
    std::string parent = CombinedHash(tree[level]);
    tree.erase(level);
    ++level;
    tree[level].push_back(std::move(parent));
    if (level > max_level) max_level = level;
  }
}

RangeQueryResults::Recorded RangeQueryResults::Finish() const {
  Recorded recorded;
  auto leaves = tree_.find(1);
  const bool tree_empty = max_level_ == 1 && (leaves == tree_.end() || leaves->second.empty());
  if (!hashing_ || tree_empty) {
    recorded.raw_reads = pending_;
    return recorded;
  }
  Tree tree = tree_;
  uint32_t max_level = max_level_;
  if (!pending_.empty()) {
    std::vector<::kvrwset::KVRead> pending = pending_;
    HashResults(pending, tree, max_level);
  }
  // Carry the nodes below the top level up until they join it.
  for (uint32_t level = 1; level < max_level; ++level) {
    auto it = tree.find(level);
    if (it == tree.end() || it->second.empty()) continue;
    std::string carried =
        it->second.size() == 1 ? std::move(it->second.front()) : CombinedHash(it->second);
    tree.erase(it);
    tree[level + 1].push_back(std::move(carried));
  }
  std::vector<std::string> top = std::move(tree[max_level]);
  if (top.size() > max_degree_) {
    top = {CombinedHash(top)};
    ++max_level;
  }
  ::kvrwset::QueryReadsMerkleSummary summary;
  summary.set_max_degree(max_degree_);
  summary.set_max_level(max_level);
  for (auto& hash : top) summary.add_max_level_hashes(std::move(hash));
  recorded.summary = std::move(summary);
  return recorded;
}

void SetRecordedResults(RangeQueryResults::Recorded recorded, ::kvrwset::RangeQueryInfo& info) {
  if (recorded.summary) {
    *info.mutable_reads_merkle_hashes() = std::move(*recorded.summary);
  } else if (!recorded.raw_reads.empty()) {
    auto* reads = info.mutable_raw_reads();
    for (auto& read : recorded.raw_reads) *reads->add_kv_reads() = std::move(read);
  }
}

}  // namespace weft::peer::ledger::rwset
