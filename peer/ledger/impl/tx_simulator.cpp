#include "peer/ledger/tx_simulator.h"

#include <deque>

#include "absl/strings/str_cat.h"
#include "common/crypto/hash.h"
#include "peer/ledger/composite_key.h"
#include "peer/ledger/rwset/range_query_summary.h"

namespace weft::peer::ledger {
namespace {

using rwset::StateMetadata;
using statedb::StateDb;
using statedb::StateIterator;
using statedb::Version;
using statedb::VersionedValue;

// What one range query observed, kept by the simulator so the iterator may
// be dropped at any time; turned into a RangeQueryInfo when results are built.
struct RangeRecord {
  std::string ns;
  ::kvrwset::RangeQueryInfo info;  // start/end key and exhausted; results added at the end
  rwset::RangeQueryResults results;
};

class Simulator;

// Fabric's version.Height String(): "{BlockNum: b, TxNum: t}", "<nil>" when absent.
std::string VersionString(const std::optional<Version>& version) {
  if (!version) return "<nil>";
  return absl::StrCat("{BlockNum: ", version->block_num, ", TxNum: ", version->tx_num, "}");
}

class RangeIterator final : public ResultsIterator {
 public:
  RangeIterator(const Simulator* owner, std::unique_ptr<StateIterator> it, std::string ns,
                std::string end_key, uint32_t page_size, RangeRecord* record)
      : owner_(owner),
        it_(std::move(it)),
        ns_(std::move(ns)),
        end_key_(std::move(end_key)),
        page_size_(page_size),
        record_(record) {}

  [[nodiscard]] StatusOr<std::optional<::queryresult::KV>> Next() override;
  [[nodiscard]] StatusOr<std::string> GetBookmarkAndClose() override;

 private:
  const Simulator* owner_;
  std::unique_ptr<StateIterator> it_;
  std::string ns_;
  std::string end_key_;
  uint32_t page_size_;
  uint32_t returned_ = 0;
  RangeRecord* record_;  // null when reads are not recorded
  bool closed_ = false;
};

class Simulator final : public TxSimulator {
 public:
  Simulator(const StateDb& state, const history::HistoryDb* history,
            std::shared_lock<CommitLock> lock, bool record)
      : state_(state), history_(history), lock_(std::move(lock)), record_(record) {}

  ~Simulator() override { Done(); }

  [[nodiscard]] StatusOr<std::string> GetState(std::string_view ns, std::string_view key) override {
    WEFT_RETURN_IF_ERROR(CheckUsable(ns, key));
    WEFT_ASSIGN_OR_RETURN(auto value, state_.GetState(ns, key));
    RecordRead(ns, key, value);
    return value ? std::move(value->value) : std::string();
  }

  [[nodiscard]] StatusOr<std::vector<std::string>> GetStateMultipleKeys(
      std::string_view ns, const std::vector<std::string>& keys) override {
    for (const auto& key : keys) WEFT_RETURN_IF_ERROR(CheckUsable(ns, key));
    WEFT_ASSIGN_OR_RETURN(auto values, state_.GetStateMultipleKeys(ns, keys));
    std::vector<std::string> result;
    result.reserve(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      RecordRead(ns, keys[i], values[i]);
      result.push_back(values[i] ? std::move(values[i]->value) : std::string());
    }
    return result;
  }

  [[nodiscard]] StatusOr<std::unique_ptr<ResultsIterator>> GetStateRangeScanIterator(
      std::string_view ns, std::string_view start_key, std::string_view end_key) override {
    return NewRange(ns, start_key, end_key, 0);
  }

  [[nodiscard]] StatusOr<std::unique_ptr<ResultsIterator>> GetStateRangeScanIteratorWithPagination(
      std::string_view ns, std::string_view start_key, std::string_view end_key, uint32_t page_size,
      std::string_view bookmark) override {
    // Fabric's checkBeforePaginatedQueries: paginated queries are for
    // read-only transactions only.
    if (record_ && !done_) {
      if (write_performed_) {
        return absl::FailedPreconditionError(absl::StrCat(
            "paginated query on namespace \"", std::string(ns),
            "\" after a write: paginated queries are supported only in a read-only transaction"));
      }
      paginated_query_performed_ = true;
    }
    return NewRange(ns, bookmark.empty() ? start_key : bookmark, end_key, page_size);
  }

  [[nodiscard]] StatusOr<std::unique_ptr<ResultsIterator>> GetStateByPartialCompositeKey(
      std::string_view ns, std::string_view object_type,
      const std::vector<std::string>& attributes) override {
    WEFT_ASSIGN_OR_RETURN(std::string start, CreateCompositeKey(object_type, attributes));
    std::string end = start + std::string(kMaxUnicodeRune);
    return NewRange(ns, start, end, 0);
  }

  [[nodiscard]] StatusOr<StateMetadata> GetStateMetadata(std::string_view ns,
                                                         std::string_view key) override {
    WEFT_RETURN_IF_ERROR(CheckUsable(ns, key));
    WEFT_ASSIGN_OR_RETURN(auto value, state_.GetState(ns, key));
    RecordRead(ns, key, value);
    if (!value || value->metadata.empty()) return StateMetadata();
    return rwset::DecodeStateMetadata(value->metadata);
  }

  [[nodiscard]] StatusOr<std::vector<::queryresult::KeyModification>> GetHistoryForKey(
      std::string_view ns, std::string_view key) override {
    WEFT_RETURN_IF_ERROR(CheckUsable(ns, key));
    if (history_ == nullptr) return absl::FailedPreconditionError("history database is disabled");
    return history_->GetHistoryForKey(ns, key);
  }

  [[nodiscard]] StatusOr<std::string> GetPrivateData(std::string_view ns,
                                                     std::string_view collection,
                                                     std::string_view key) override {
    WEFT_RETURN_IF_ERROR(CheckUsable(ns, key));
    WEFT_ASSIGN_OR_RETURN(auto value,
                          state_.GetState(rwset::PrivateNamespace(ns, collection), key));
    WEFT_ASSIGN_OR_RETURN(auto hashed, state_.GetState(rwset::HashedNamespace(ns, collection),
                                                       common::crypto::Sha256(key)));
    std::optional<Version> version;
    if (value) version = value->version;
    std::optional<Version> hash_version;
    if (hashed) hash_version = hashed->version;
    // Fabric's GetPrivateData: the plain value must be the one the hashed
    // state (which every peer has) commits to.
    if (version != hash_version) {
      return absl::FailedPreconditionError(absl::StrCat(
          "private data matching public hash version is not available. Public hash "
          "version = ",
          VersionString(hash_version), ", Private data version = ", VersionString(version),
          " (key \"", std::string(key), "\" of collection ", std::string(collection),
          " of namespace ", std::string(ns), ")"));
    }
    if (record_) builder_.AddHashedRead(ns, collection, key, version);
    return value ? std::move(value->value) : std::string();
  }

  [[nodiscard]] StatusOr<std::string> GetPrivateDataHash(std::string_view ns,
                                                         std::string_view collection,
                                                         std::string_view key) override {
    WEFT_RETURN_IF_ERROR(CheckUsable(ns, key));
    WEFT_ASSIGN_OR_RETURN(auto hashed, state_.GetState(rwset::HashedNamespace(ns, collection),
                                                       common::crypto::Sha256(key)));
    if (record_) {
      builder_.AddHashedRead(ns, collection, key,
                             hashed ? std::optional<Version>(hashed->version) : std::nullopt);
    }
    return hashed ? std::move(hashed->value) : std::string();
  }

  void Done() override {
    done_ = true;
    if (lock_.owns_lock()) lock_.unlock();
  }

  [[nodiscard]] Status PutState(std::string_view ns, std::string_view key,
                                std::string value) override {
    WEFT_RETURN_IF_ERROR(CheckWritable(ns, key));
    builder_.AddWrite(ns, key, std::move(value));
    return absl::OkStatus();
  }

  [[nodiscard]] Status DelState(std::string_view ns, std::string_view key) override {
    return PutState(ns, key, std::string());
  }

  [[nodiscard]] Status SetStateMetadata(std::string_view ns, std::string_view key,
                                        StateMetadata metadata) override {
    WEFT_RETURN_IF_ERROR(CheckWritable(ns, key));
    builder_.AddMetadataWrite(ns, key, std::move(metadata));
    return absl::OkStatus();
  }

  [[nodiscard]] Status PutPrivateData(std::string_view ns, std::string_view collection,
                                      std::string_view key, std::string value) override {
    WEFT_RETURN_IF_ERROR(CheckWritable(ns, key));
    builder_.AddPrivateWrite(ns, collection, key, std::move(value));
    return absl::OkStatus();
  }

  [[nodiscard]] Status DelPrivateData(std::string_view ns, std::string_view collection,
                                      std::string_view key) override {
    return PutPrivateData(ns, collection, key, std::string());
  }

  [[nodiscard]] StatusOr<::rwset::TxReadWriteSet> GetTxSimulationResults() override {
    WEFT_ASSIGN_OR_RETURN(auto results, GetTxSimulationResultsWithPrivateData());
    return std::move(results.public_rwset);
  }

  [[nodiscard]] StatusOr<rwset::SimulationResults> GetTxSimulationResultsWithPrivateData()
      override {
    if (!record_) return absl::FailedPreconditionError("a query executor has no results");
    Done();
    rwset::RwSetBuilder builder = builder_;
    // Every range query is recorded, even one that read nothing (Fabric's
    // addRangeQueryInfo), in the order the iterators were opened.
    for (const auto& range : ranges_) {
      ::kvrwset::RangeQueryInfo info = range.info;
      rwset::SetRecordedResults(range.results.Finish(), info);
      builder.AddRangeQuery(range.ns, std::move(info));
    }
    return builder.BuildWithPrivateData();
  }

  bool done() const { return done_; }

 private:
  [[nodiscard]] Status CheckUsable(std::string_view ns, std::string_view key) const {
    if (done_) {
      return absl::FailedPreconditionError(absl::StrCat(
          "transaction context is done; cannot access key \"", std::string(key), "\""));
    }
    // Namespace "" is allowed: it holds the channel config (Fabric reads it there).
    return absl::OkStatus();
  }

  // Also notes that the transaction writes (for the paginated-query rule).
  [[nodiscard]] Status CheckWritable(std::string_view ns, std::string_view key) {
    WEFT_RETURN_IF_ERROR(CheckUsable(ns, key));
    // An empty key is accepted, as Fabric's LevelDB state does.
    if (!record_) return absl::FailedPreconditionError("a query executor cannot write");
    // Fabric's checkPaginatedQueryPerformed.
    if (paginated_query_performed_) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot write key \"", std::string(key), "\" in namespace \"", std::string(ns),
          "\": the transaction has already performed a paginated query"));
    }
    write_performed_ = true;
    return absl::OkStatus();
  }

  void RecordRead(std::string_view ns, std::string_view key,
                  const std::optional<VersionedValue>& value) {
    if (!record_) return;
    builder_.AddRead(ns, key, value ? std::optional<Version>(value->version) : std::nullopt);
  }

  [[nodiscard]] StatusOr<std::unique_ptr<ResultsIterator>> NewRange(std::string_view ns,
                                                                    std::string_view start_key,
                                                                    std::string_view end_key,
                                                                    uint32_t page_size) {
    WEFT_RETURN_IF_ERROR(CheckUsable(ns, start_key));
    WEFT_ASSIGN_OR_RETURN(auto it, state_.GetStateRangeScanIterator(ns, start_key, end_key));
    RangeRecord* record = nullptr;
    if (record_) {
      // Simulations summarise more than kRangeQueryMaxDegree results in a
      // Merkle tree, as Fabric's simulator does.
      WEFT_ASSIGN_OR_RETURN(auto results,
                            rwset::RangeQueryResults::Create(true, rwset::kRangeQueryMaxDegree));
      record = &ranges_.emplace_back(RangeRecord{std::string(ns), {}, std::move(results)});
      // The end key is set by the iteration: the last key returned, or the
      // query's end key once exhausted.
      record->info.set_start_key(std::string(start_key));
    }
    return std::unique_ptr<ResultsIterator>(new RangeIterator(
        this, std::move(it), std::string(ns), std::string(end_key), page_size, record));
  }

  const StateDb& state_;
  const history::HistoryDb* history_;  // null: history disabled
  std::shared_lock<CommitLock> lock_;
  const bool record_;
  bool done_ = false;
  bool write_performed_ = false;
  bool paginated_query_performed_ = false;
  rwset::RwSetBuilder builder_;
  std::deque<RangeRecord> ranges_;  // deque: iterators keep pointers into it
};

StatusOr<std::optional<::queryresult::KV>> RangeIterator::Next() {
  if (owner_->done()) return absl::FailedPreconditionError("transaction context is done");
  if (closed_) return std::optional<::queryresult::KV>();
  std::optional<statedb::VersionedKv> entry;
  // A full page ends the iteration the way the end of the range does, and is
  // recorded the same way (as Fabric's paginated LevelDB iterator is), but
  // the iterator stays open for GetBookmarkAndClose.
  const bool page_full = page_size_ != 0 && returned_ == page_size_;
  if (!page_full) {
    WEFT_ASSIGN_OR_RETURN(entry, it_->Next());
  }
  if (!entry) {
    closed_ = !page_full;
    if (record_ != nullptr) {
      // The whole range was seen, so the tx depends on all of it.
      record_->info.set_itr_exhausted(true);
      record_->info.set_end_key(end_key_);
    }
    return std::optional<::queryresult::KV>();
  }
  ++returned_;
  if (record_ != nullptr) {
    // Until exhausted, the range the tx depends on ends at the last key it saw.
    record_->results.AddResult(rwset::MakeKvRead(entry->key, entry->value.version));
    record_->info.set_end_key(entry->key);
  }
  ::queryresult::KV kv;
  kv.set_namespace_(ns_);
  kv.set_key(std::move(entry->key));
  kv.set_value(std::move(entry->value.value));
  return std::optional<::queryresult::KV>(std::move(kv));
}

StatusOr<std::string> RangeIterator::GetBookmarkAndClose() {
  if (owner_->done()) return absl::FailedPreconditionError("transaction context is done");
  if (closed_) return std::string();
  closed_ = true;
  WEFT_ASSIGN_OR_RETURN(auto entry, it_->Next());
  return entry ? std::move(entry->key) : std::string();
}

}  // namespace

std::unique_ptr<TxSimulator> NewTxSimulator(const StateDb& state, const history::HistoryDb* history,
                                            std::shared_lock<CommitLock> commit_lock) {
  return std::make_unique<Simulator>(state, history, std::move(commit_lock), true);
}

std::unique_ptr<QueryExecutor> NewQueryExecutor(const StateDb& state,
                                                const history::HistoryDb* history,
                                                std::shared_lock<CommitLock> commit_lock) {
  return std::make_unique<Simulator>(state, history, std::move(commit_lock), false);
}

}  // namespace weft::peer::ledger
