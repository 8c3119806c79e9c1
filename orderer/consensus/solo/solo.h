// The solo consenter (Fabric's orderer/consensus/solo): one in-process ordering
// thread per channel fed by a queue. Normal envelopes go through the block
// cutter; a batch timer (the channel's BatchTimeout, read from the current
// config) cuts what is pending; a config envelope cuts pending envelopes and
// then gets a block of its own. Envelopes validated under an older config
// sequence are re-validated through ConsenterSupport before they are ordered.
//
// Thread-safety: SoloConsenter and its chains are thread-safe.
#pragma once

#include <chrono>
#include <memory>

#include "common/concurrency/clock.h"
#include "common/log/logger.h"
#include "orderer/consensus/consensus.h"

namespace weft::orderer::consensus::solo {

struct SoloOptions {
  // Measures the batch timeout. Nullable: the system clock. A ManualClock lets
  // tests fire the timer by advancing it.
  const common::concurrency::Clock* clock = nullptr;
  // How often the ordering thread looks at the clock while a batch is pending.
  std::chrono::milliseconds timer_tick{5};
  // Nullable: no logging.
  std::shared_ptr<common::log::Logger> logger;
};

class SoloConsenter final : public Consenter {
 public:
  explicit SoloConsenter(SoloOptions options = {});

  [[nodiscard]] StatusOr<std::unique_ptr<Chain>> HandleChain(ConsenterSupport& support) override;

 private:
  const common::concurrency::SystemClock system_clock_;
  SoloOptions options_;
};

}  // namespace weft::orderer::consensus::solo
