// The orderer's composition root: reads orderer.yaml, loads the local MSP, builds the
// consenters (solo, kafka), the channel registrar, the AtomicBroadcast gRPC service,
// the channel participation admin endpoint and the operations endpoint, and wires
// them together. Nothing else in the orderer knows concrete types.
// Thread-safety: Create/Start/Stop from one thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/config/orderer_config.h"
#include "common/status/status.h"

namespace weft::orderer::node {

inline constexpr char kVersion[] = "0.1.0";

class OrdererNode {
 public:
  [[nodiscard]] static StatusOr<std::unique_ptr<OrdererNode>> Create(
      const std::filesystem::path& config_file, const common::config::Environment& env);
  ~OrdererNode();

  // Opens the channels on disk and starts serving. Prints one line
  //   "orderer started: grpc=<addr> admin=<addr> operations=<addr>"
  // to stdout once every listener is bound (tests read the ports from it).
  [[nodiscard]] Status Start();
  // Stops the listeners and halts every chain. Idempotent.
  void Stop();

 private:
  struct Parts;
  explicit OrdererNode(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace weft::orderer::node
