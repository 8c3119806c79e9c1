// Validate-then-commit for one channel (Fabric's committer.LedgerCommitter with
// the txvalidator in front): Validator::Validate gives the first-stage codes,
// PeerLedger::CommitBlock adds in-block duplicate tx ids and MVCC and writes the
// block, and a config block's new bundle replaces the channel's bundle only once
// its block is committed (a failed commit leaves the old one in force). The
// channel's transient store, when given, supplies private data at commit.
// Thread-safety: CommitBlock calls are serialized internally; bundle() may be
// called from any thread. A reader may see a config block in the ledger a moment
// before bundle() returns its config (the bundle is swapped right after the
// commit returns), never the reverse.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/concurrency/executor.h"
#include "common/status/status.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/transaction.pb.h"
#include "peer/validator/validator.h"

namespace weft::peer::validator {

// What one CommitBlock measured and found, for the node's metrics and log.
struct CommitReport {
  std::chrono::nanoseconds validation{0};  // Validator::Validate
  std::chrono::nanoseconds commit{0};      // PeerLedger::CommitBlock (MVCC and writes)
  std::vector<std::string> reasons;        // BlockValidation::reasons
};

class BlockCommitter {
 public:
  // `ledger`, `executor` and `private_data` must outlive the committer; `bundle`
  // is the channel config in force at the ledger's height. `private_data` (the
  // channel's transient store; may be null) supplies the private rwsets of the
  // block's transactions to PeerLedger::CommitBlock, which purges them once
  // the block is committed (Fabric's coordinator.StoreBlock).
  BlockCommitter(ledger::PeerLedger& ledger,
                 std::shared_ptr<const common::channelconfig::ChannelConfig> bundle,
                 common::concurrency::Executor& executor,
                 ledger::PrivateDataSource* private_data = nullptr);

  // Validates and commits `block` (the next one); returns the final codes as
  // written to TRANSACTIONS_FILTER. `report`, when given, is filled in.
  [[nodiscard]] StatusOr<std::vector<::protos::TxValidationCode>> CommitBlock(
      ::common::Block block, CommitReport* report = nullptr);

  std::shared_ptr<const common::channelconfig::ChannelConfig> bundle() const;

 private:
  ledger::PeerLedger& ledger_;
  ledger::PrivateDataSource* const private_data_;  // may be null
  std::unique_ptr<LedgerView> view_;
  Validator validator_;
  std::mutex commit_mu_;  // one block at a time
  mutable std::mutex bundle_mu_;
  std::shared_ptr<const common::channelconfig::ChannelConfig> bundle_;  // guarded by bundle_mu_
};

}  // namespace weft::peer::validator
