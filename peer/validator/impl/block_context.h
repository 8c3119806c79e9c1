// What the transactions of one block being validated share: which keys each
// one's metadata writes touch and each one's first-stage code, so that a later
// transaction writing such a key can ask whether an earlier one that changes its
// validation parameter passed (Fabric's statebased KeyLevelValidationParameterManager
// dependencies, kept per transaction rather than per namespace).
// Thread-safety: thread-safe.
#pragma once

#include <compare>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "peer/transaction.pb.h"

namespace weft::peer::validator::impl {

// A key of a namespace's public state (collection empty) or the hash of a key
// of one of its collections.
struct KeyId {
  std::string ns;
  std::string collection;
  std::string key;
  auto operator<=>(const KeyId&) const = default;
};

class BlockContext {
 public:
  explicit BlockContext(std::size_t tx_count);

  // Transaction `index` names the keys whose metadata it writes. Only the first
  // call per transaction counts; Finish publishes an empty list if none came.
  void PublishMetadataWrites(std::size_t index, const std::vector<KeyId>& keys);
  // Transaction `index` finished the first stage with `code`.
  void Finish(std::size_t index, ::protos::TxValidationCode code);
  // Waits until every transaction before `index` has published its metadata
  // writes and every one of them that writes metadata of `key` has finished;
  // true when one of those passed (its change of the key's validation parameter
  // then makes the parameter read at the block's start stale).
  bool UpdatedByEarlierValidTx(std::size_t index, const KeyId& key);

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<bool> published_;
  std::vector<std::optional<::protos::TxValidationCode>> results_;
  std::map<KeyId, std::vector<std::size_t>> metadata_writers_;
};

}  // namespace weft::peer::validator::impl
