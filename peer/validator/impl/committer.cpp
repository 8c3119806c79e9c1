#include "peer/validator/committer.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace weft::peer::validator {
namespace {

class PeerLedgerView final : public LedgerView {
 public:
  explicit PeerLedgerView(ledger::PeerLedger& ledger) : ledger_(ledger) {}

  [[nodiscard]] StatusOr<bool> TxIdExists(const std::string& tx_id) const override {
    auto location = ledger_.block_store().RetrieveTxValidationCode(tx_id);
    if (location.ok()) return true;
    if (absl::IsNotFound(location.status())) return false;
    return location.status();
  }

  std::unique_ptr<ledger::QueryExecutor> NewQueryExecutor() const override {
    return ledger_.NewQueryExecutor();
  }

 private:
  ledger::PeerLedger& ledger_;
};

}  // namespace

std::unique_ptr<LedgerView> NewPeerLedgerView(ledger::PeerLedger& ledger) {
  return std::make_unique<PeerLedgerView>(ledger);
}

BlockCommitter::BlockCommitter(ledger::PeerLedger& ledger,
                               std::shared_ptr<const common::channelconfig::ChannelConfig> bundle,
                               common::concurrency::Executor& executor,
                               ledger::PrivateDataSource* private_data)
    : ledger_(ledger),
      private_data_(private_data),
      view_(NewPeerLedgerView(ledger)),
      validator_(ledger.channel_id(), *view_, executor),
      bundle_(std::move(bundle)) {}

StatusOr<std::vector<::protos::TxValidationCode>> BlockCommitter::CommitBlock(
    ::common::Block block, CommitReport* report) {
  std::lock_guard commit_lock(commit_mu_);
  const auto start = std::chrono::steady_clock::now();
  WEFT_ASSIGN_OR_RETURN(BlockValidation validation, validator_.Validate(block, bundle()));
  const auto validated = std::chrono::steady_clock::now();
  WEFT_ASSIGN_OR_RETURN(auto codes,
                        ledger_.CommitBlock(std::move(block), validation.codes, private_data_));
  if (report != nullptr) {
    report->validation = validated - start;
    report->commit = std::chrono::steady_clock::now() - validated;
    report->reasons = std::move(validation.reasons);
  }
  if (validation.new_bundle) {
    // The block's config takes effect only now that its block is committed.
    std::lock_guard lock(bundle_mu_);
    bundle_ = std::move(validation.new_bundle);
  }
  return codes;
}

std::shared_ptr<const common::channelconfig::ChannelConfig> BlockCommitter::bundle() const {
  std::lock_guard lock(bundle_mu_);
  return bundle_;
}

}  // namespace weft::peer::validator
