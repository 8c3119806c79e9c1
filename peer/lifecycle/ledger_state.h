// The _lifecycle namespace of a channel's ledger as ReadableState /
// ReadWritableState, so that definitions are read inside a simulation (the reads
// land in the rwset: a definition changed before commit makes the transaction an
// MVCC conflict, as in Fabric) or through a plain query executor.
// Thread-safety: as the wrapped executor (one transaction, one thread).
#pragma once

#include <string>
#include <string_view>

#include "peer/ledger/tx_simulator.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/state_serializer.h"

namespace weft::peer::lifecycle {

class LifecycleQueryState final : public ReadableState {
 public:
  explicit LifecycleQueryState(ledger::QueryExecutor& executor) : executor_(executor) {}
  [[nodiscard]] StatusOr<std::string> GetState(std::string_view key) override {
    return executor_.GetState(kLifecycleNamespace, key);
  }

 private:
  ledger::QueryExecutor& executor_;
};

class LifecycleSimulatorState final : public ReadWritableState {
 public:
  explicit LifecycleSimulatorState(ledger::TxSimulator& simulator) : simulator_(simulator) {}
  [[nodiscard]] StatusOr<std::string> GetState(std::string_view key) override {
    return simulator_.GetState(kLifecycleNamespace, key);
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

}  // namespace weft::peer::lifecycle
