// The transient store (Fabric's core/transientstore): private rwsets an
// endorsing peer produced, kept by tx id until the transaction commits (then
// CommitBlock applies and purges them, see PrivateDataSource) or until they
// are old enough to drop. One LevelDB per channel, format in FORMAT.md
// ("Transient store").
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/ledger/kvstore/leveldb_store.h"
#include "common/status/status.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/ledger/peer_ledger.h"

namespace weft::peer::ledger {

class TransientStore final : public PrivateDataSource {
 public:
  // Fabric's peer.gossip.pvtData.transientstoreMaxBlockRetention default.
  static constexpr uint64_t kDefaultBlockRetention = 1000;

  // Opens (creating) the store in `dir`. `block_retention` (> 0): see
  // PurgeCommitted.
  [[nodiscard]] static StatusOr<std::unique_ptr<TransientStore>> Open(
      const std::filesystem::path& dir, uint64_t block_retention = kDefaultBlockRetention);

  // Records the private rwset of one simulation of `tx_id`, made at ledger
  // height `block_height` (Fabric's Persist). The same rwset persisted twice
  // is stored once.
  [[nodiscard]] Status Persist(std::string_view tx_id, uint64_t block_height,
                               const ::rwset::TxPvtReadWriteSet& private_rwset);

  // In the order of their keys (height, then bytes' hash).
  [[nodiscard]] StatusOr<std::vector<::rwset::TxPvtReadWriteSet>> GetPrivateData(
      std::string_view tx_id) const override;

  // Drops every entry of these tx ids (Fabric's PurgeByTxids).
  [[nodiscard]] Status PurgeByTxids(const std::vector<std::string>& tx_ids);
  // Drops every entry persisted at a height below `height` (Fabric's
  // PurgeBelowHeight): endorsements whose transactions never committed.
  [[nodiscard]] Status PurgeBelowHeight(uint64_t height);

  // Fabric's RetrievedPvtdata.Purge: PurgeByTxids(tx_ids), and when
  // `block_number` is a multiple of the retention above it,
  // PurgeBelowHeight(block_number - retention). Failures are ignored (the
  // next purge by height takes what is left).
  void PurgeCommitted(const std::vector<std::string>& tx_ids, uint64_t block_number) override;

 private:
  TransientStore(std::unique_ptr<common::ledger::kvstore::LevelDbStore> db,
                 uint64_t block_retention);

  const uint64_t block_retention_;

  std::unique_ptr<common::ledger::kvstore::LevelDbStore> db_;
  common::ledger::kvstore::Namespace by_tx_;
  common::ledger::kvstore::Namespace by_height_;
};

}  // namespace weft::peer::ledger
