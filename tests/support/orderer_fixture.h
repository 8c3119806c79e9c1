// A registrar over a temp ledger directory with the solo consenter, the test
// network's orderer identity as block signer and logs kept in memory.
// Throws std::runtime_error on failure so Catch2 reports the cause.
// Thread-safety: OrdererFixture is for the test thread; the registrar it makes is
// thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "common/common.pb.h"
#include "common/log/logger_factory.h"
#include "common/protoutil/envelope.h"
#include "orderer/consensus/solo/solo.h"
#include "orderer/multichannel/registrar.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_network.h"

namespace weft::testing {

struct OrdererFixture {
  TestNetwork network;
  TempDir dir{"weft-orderer"};
  std::ostringstream log_output;
  common::log::LoggerFactory loggers{log_output};
  orderer::consensus::ConsenterRegistry consenters;

  OrdererFixture() {
    consenters.emplace("solo", std::make_unique<orderer::consensus::solo::SoloConsenter>());
  }

  std::unique_ptr<orderer::multichannel::Registrar> NewRegistrar() {
    orderer::multichannel::RegistrarOptions options;
    options.ledger_dir = dir.path();
    options.signer = &network.orderer;
    options.consenters = &consenters;
    options.loggers = &loggers;
    options.fsync = common::ledger::blockstore::FsyncPolicy::kNone;
    return std::make_unique<orderer::multichannel::Registrar>(std::move(options));
  }

  static ::common::Envelope Transaction(const std::string& channel_id,
                                        const common::protoutil::Signer& signer,
                                        std::string data = "tx") {
    auto envelope = common::protoutil::CreateSignedEnvelope(::common::ENDORSER_TRANSACTION,
                                                            channel_id, signer, std::move(data));
    if (!envelope.ok()) throw std::runtime_error(std::string(envelope.status().message()));
    return *std::move(envelope);
  }
};

// Waits (up to 20 s, a hang guard) until block `number` of `chain` is stored.
inline ::common::Block WaitForBlock(const orderer::multichannel::ChainSupport& chain,
                                    uint64_t number) {
  auto waited = chain.Blocks().WaitForBlock(
      number, {}, std::chrono::steady_clock::now() + std::chrono::seconds(20));
  if (!waited.ok()) throw std::runtime_error(std::string(waited.message()));
  auto block = chain.Blocks().RetrieveBlockByNumber(number);
  if (!block.ok()) throw std::runtime_error(std::string(block.status().message()));
  return *std::move(block);
}

}  // namespace weft::testing
