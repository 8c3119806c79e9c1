#include "peer/ledger/impl/commit_hash.h"

#include "common/crypto/hash.h"
#include "peer/ledger/statedb/encoding.h"

namespace weft::peer::ledger::impl {
namespace {

// U_n: every update, namespaces then keys ascending (the batch's own order).
std::string CanonicalUpdateBytes(const statedb::UpdateBatch& batch) {
  std::string out;
  for (const auto& [ns, keys] : batch.updates()) {
    for (const auto& [key, update] : keys) {
      statedb::AppendLengthPrefixed(out, ns);
      statedb::AppendLengthPrefixed(out, key);
      out.push_back(update.is_delete ? '\1' : '\0');
      statedb::AppendU64(out, update.value.version.block_num);
      statedb::AppendU64(out, update.value.version.tx_num);
      statedb::AppendLengthPrefixed(out,
                                    update.is_delete ? std::string_view() : update.value.value);
      statedb::AppendLengthPrefixed(out,
                                    update.is_delete ? std::string_view() : update.value.metadata);
    }
  }
  return out;
}

}  // namespace

std::string NextCommitHash(std::string_view previous_hash, const statedb::UpdateBatch& updates) {
  return common::crypto::Sha256Hasher()
      .Update(previous_hash)
      .Update(CanonicalUpdateBytes(updates))
      .Finish();
}

}  // namespace weft::peer::ledger::impl
