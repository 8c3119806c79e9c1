// The _lifecycle namespace of a channel's ledger as ReadableState /
// ReadWritableState, so that definitions are read inside a simulation (the reads
// land in the rwset: a definition changed before commit makes the transaction an
// MVCC conflict, as in Fabric) or through a plain query executor; and an org's
// implicit collection of _lifecycle as private state (its own org) or opaque
// state (hashes only, any org), as Fabric's ChaincodePrivateLedgerShim.
// Thread-safety: as the wrapped executor (one transaction, one thread).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "peer/ledger/tx_simulator.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/state_serializer.h"

namespace weft::peer::lifecycle {

// Every key of _lifecycle in [prefix, prefix + 0x7f) (Fabric's GetStateRange:
// keys are ASCII), read through `executor` (so a simulation records the range).
[[nodiscard]] StatusOr<std::map<std::string, std::string>> LifecycleStateRange(
    ledger::QueryExecutor& executor, std::string_view prefix);

class LifecycleQueryState final : public ReadableState, public RangeableState {
 public:
  explicit LifecycleQueryState(ledger::QueryExecutor& executor) : executor_(executor) {}
  [[nodiscard]] StatusOr<std::string> GetState(std::string_view key) override {
    return executor_.GetState(kLifecycleNamespace, key);
  }
  [[nodiscard]] StatusOr<std::map<std::string, std::string>> GetStateRange(
      std::string_view prefix) override {
    return LifecycleStateRange(executor_, prefix);
  }

 private:
  ledger::QueryExecutor& executor_;
};

class LifecycleSimulatorState final : public ReadWritableState, public RangeableState {
 public:
  explicit LifecycleSimulatorState(ledger::TxSimulator& simulator) : simulator_(simulator) {}
  [[nodiscard]] StatusOr<std::string> GetState(std::string_view key) override {
    return simulator_.GetState(kLifecycleNamespace, key);
  }
  [[nodiscard]] StatusOr<std::map<std::string, std::string>> GetStateRange(
      std::string_view prefix) override {
    return LifecycleStateRange(simulator_, prefix);
  }
  [[nodiscard]] Status PutState(std::string_view key, std::string_view value) override {
    return simulator_.PutState(kLifecycleNamespace, key, std::string(value));
  }
  [[nodiscard]] Status DelState(std::string_view key) override {
    return simulator_.DelState(kLifecycleNamespace, key);
  }

 private:
  ledger::TxSimulator& simulator_;
};

// Fabric's implicitcollection.NameForOrg: "_implicit_org_" + MSP ID.
std::string ImplicitCollectionName(std::string_view msp_id);
// The MSP ID of an implicit collection name; nullopt for any other name.
std::optional<std::string> MspIdOfImplicitCollection(std::string_view collection);

// This peer's own org's implicit collection of _lifecycle, read (values and
// hashes) through `reader` and written as private data through `writer`
// (usually the same simulator; null for read-only use: writes then fail).
class LifecyclePrivateState final : public ReadWritableState, public OpaqueState {
 public:
  LifecyclePrivateState(ledger::QueryExecutor& reader, ledger::TxSimulator* writer,
                        std::string collection)
      : reader_(reader), writer_(writer), collection_(std::move(collection)) {}
  [[nodiscard]] StatusOr<std::string> GetState(std::string_view key) override {
    return reader_.GetPrivateData(kLifecycleNamespace, collection_, key);
  }
  [[nodiscard]] Status PutState(std::string_view key, std::string_view value) override {
    if (writer_ == nullptr) return absl::FailedPreconditionError("read-only private state");
    return writer_->PutPrivateData(kLifecycleNamespace, collection_, key, std::string(value));
  }
  [[nodiscard]] Status DelState(std::string_view key) override {
    if (writer_ == nullptr) return absl::FailedPreconditionError("read-only private state");
    return writer_->DelPrivateData(kLifecycleNamespace, collection_, key);
  }
  [[nodiscard]] StatusOr<std::string> GetStateHash(std::string_view key) override {
    return reader_.GetPrivateDataHash(kLifecycleNamespace, collection_, key);
  }
  std::string CollectionName() const override { return collection_; }

 private:
  ledger::QueryExecutor& reader_;
  ledger::TxSimulator* writer_;  // null: read-only
  std::string collection_;
};

// Any org's implicit collection of _lifecycle, seen through hashes only.
class LifecycleOpaqueState final : public OpaqueState {
 public:
  LifecycleOpaqueState(ledger::QueryExecutor& reader, std::string collection)
      : reader_(reader), collection_(std::move(collection)) {}
  [[nodiscard]] StatusOr<std::string> GetStateHash(std::string_view key) override {
    return reader_.GetPrivateDataHash(kLifecycleNamespace, collection_, key);
  }
  std::string CollectionName() const override { return collection_; }

 private:
  ledger::QueryExecutor& reader_;
  std::string collection_;
};

}  // namespace weft::peer::lifecycle
