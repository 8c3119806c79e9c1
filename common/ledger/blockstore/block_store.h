// BlockStore: the seam for a channel's append-only chain of blocks, used by
// the orderer (blocks it cut) and the peer (blocks it committed). Blocks are
// kept exactly as given; readers get the same bytes back.
//
// Thread-safety: implementations allow one writer (AddBlock/AddBlockBytes)
// concurrently with any number of readers and waiters.
#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>

#include "common/common.pb.h"
#include "common/status/status.h"

namespace weft::common::ledger::blockstore {

// The TxValidationCode recorded for transactions of blocks stored without a
// TRANSACTIONS_FILTER (orderer blocks): protos.TxValidationCode NOT_VALIDATED.
inline constexpr uint8_t kTxNotValidated = 254;

// Fabric's BlockchainInfo: current_block_hash is the header hash of block
// height-1, previous_block_hash that of block height-2 (empty when absent).
struct BlockchainInfo {
  uint64_t height = 0;
  std::string current_block_hash;
  std::string previous_block_hash;
};

// Where a transaction was stored and the validation code its block recorded.
struct TxLocation {
  uint64_t block_number = 0;
  uint32_t tx_index = 0;
  uint8_t validation_code = kTxNotValidated;  // a protos.TxValidationCode value
};

class BlockStore {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  virtual ~BlockStore() = default;

  // Appends block `number`, given as its serialized bytes, which are stored
  // unchanged. Errors: InvalidArgument if the bytes are not a Block or their
  // header number differs from `number`; FailedPrecondition if `number` is not
  // the current height or the previous hash is not the current header hash.
  [[nodiscard]] virtual Status AddBlockBytes(uint64_t number, std::string bytes) = 0;
  // Serializes `block` once and stores those bytes.
  [[nodiscard]] virtual Status AddBlock(const ::common::Block& block) = 0;

  // NotFound when no such block or transaction is stored.
  [[nodiscard]] virtual StatusOr<::common::Block> RetrieveBlockByNumber(uint64_t number) const = 0;
  [[nodiscard]] virtual StatusOr<std::string> RetrieveBlockBytesByNumber(uint64_t number) const = 0;
  [[nodiscard]] virtual StatusOr<::common::Block> RetrieveBlockByHash(
      const std::string& header_hash) const = 0;
  // The block holding the first transaction stored with `tx_id`.
  [[nodiscard]] virtual StatusOr<::common::Block> RetrieveBlockByTxId(
      const std::string& tx_id) const = 0;
  [[nodiscard]] virtual StatusOr<TxLocation> RetrieveTxValidationCode(
      const std::string& tx_id) const = 0;

  virtual BlockchainInfo GetInfo() const = 0;

  // Blocks until block `number` is stored (OK), `deadline` passes
  // (DeadlineExceeded), `stop` is requested or the store is closed (Cancelled).
  [[nodiscard]] virtual Status WaitForBlock(uint64_t number, std::stop_token stop,
                                            Deadline deadline = Deadline::max()) const = 0;

  // Wakes all waiters and releases files; later calls fail with
  // FailedPrecondition. Idempotent.
  virtual void Close() = 0;
};

}  // namespace weft::common::ledger::blockstore
