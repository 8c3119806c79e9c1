// weft-orderer-client: a sample client of the ordering service (in the spirit of
// Fabric's orderer sample clients broadcast_msg and deliver_stdout).
//   weft-orderer-client broadcast -o HOST:PORT -c CHANNEL --mspDir DIR --mspID ID
//                                 [--count N] [--message TEXT]
//   weft-orderer-client deliver   -o HOST:PORT -c CHANNEL --mspDir DIR --mspID ID
//                                 --genesis FILE [--start N] [--stop N] [--wait]
// deliver verifies each block (hash chain, data hash, orderer signatures against the
// channel's BlockValidation policy) starting from the genesis block given.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "client-sdk/orderer_client.h"
#include "common/crypto/hash.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "fmt/format.h"
#include "msp/local_msp.h"

namespace {

struct Options {
  std::string orderer;
  std::string channel;
  std::string msp_dir;
  std::string msp_id;
  std::string tls_ca;
  int count = 1;
  std::string message = "hello from weft-orderer-client";
  std::string genesis;
  uint64_t start = 0;
  uint64_t stop = std::numeric_limits<uint64_t>::max();
  bool wait = false;
};

int Fail(const std::string& what, const weft::Status& status) {
  std::cerr << "Error: " << what << ": " << status.message() << "\n";
  return 1;
}

weft::common::settings::GrpcClientSettings ClientSettings(const Options& options) {
  weft::common::settings::GrpcClientSettings settings;
  if (!options.tls_ca.empty()) {
    settings.tls.enabled = true;
    settings.tls.root_cas = {options.tls_ca};
  }
  return settings;
}

int Broadcast(const Options& options, const weft::msp::SigningIdentity& signer) {
  auto client = weft::client::OrdererClient::Connect(options.orderer, ClientSettings(options));
  if (!client.ok()) return Fail("connecting to " + options.orderer, client.status());
  std::vector<::common::Envelope> envelopes;
  for (int i = 0; i < options.count; ++i) {
    auto envelope = weft::common::protoutil::CreateSignedEnvelope(
        ::common::MESSAGE, options.channel, signer, fmt::format("{} #{}", options.message, i + 1));
    if (!envelope.ok()) return Fail("signing envelope", envelope.status());
    envelopes.push_back(*std::move(envelope));
  }
  auto responses = (*client)->Broadcast(envelopes);
  if (!responses.ok()) return Fail("broadcast", responses.status());
  int failures = 0;
  for (size_t i = 0; i < responses->size(); ++i) {
    const auto& response = (*responses)[i];
    std::cout << fmt::format("envelope {}: {}{}\n", i + 1, ::common::Status_Name(response.status()),
                             response.info().empty() ? "" : " (" + response.info() + ")");
    if (response.status() != ::common::SUCCESS) ++failures;
  }
  failures += options.count - static_cast<int>(responses->size());
  return failures == 0 ? 0 : 2;
}

int Deliver(const Options& options, const weft::msp::SigningIdentity& signer) {
  std::ifstream in(options.genesis, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  ::common::Block genesis;
  if (!in || !genesis.ParseFromString(bytes.str())) {
    std::cerr << "Error: cannot read a block from " << options.genesis << "\n";
    return 1;
  }
  auto verifier = weft::client::ChainVerifier::FromGenesis(genesis);
  if (!verifier.ok()) return Fail("reading the genesis block", verifier.status());
  auto client = weft::client::OrdererClient::Connect(options.orderer, ClientSettings(options));
  if (!client.ok()) return Fail("connecting to " + options.orderer, client.status());

  weft::Status problem;
  uint64_t delivered = 0;
  auto status = (*client)->Deliver(
      options.channel, options.start, options.stop, signer, options.wait,
      [&](const ::common::Block& block) {
        const uint64_t number = block.header().number();
        std::string verdict = "genesis (trust anchor)";
        if (number == 0) {
          if (block.SerializeAsString() != genesis.SerializeAsString()) {
            problem = absl::DataLossError("block 0 differs from the genesis block given");
            return false;
          }
        } else {
          if (number != verifier->next_number()) {
            // Blocks before the first requested one are not re-verified here.
            problem = absl::InvalidArgumentError(
                fmt::format("deliver from block {} needs --start 0 to verify the chain", number));
            return false;
          }
          problem = verifier->Verify(block);
          if (!problem.ok()) return false;
          verdict = "verified";
        }
        std::cout << fmt::format("block {}: {} envelope(s), hash {}, previous {}, {}\n", number,
                                 block.data().data_size(),
                                 weft::common::crypto::HexEncode(
                                     weft::common::protoutil::BlockHeaderHash(block.header())),
                                 weft::common::crypto::HexEncode(block.header().previous_hash()),
                                 verdict);
        ++delivered;
        return true;
      });
  if (!problem.ok()) return Fail("block verification", problem);
  if (!status.ok()) return Fail("deliver", status.status());
  // Without --wait the orderer answers NOT_FOUND once it has no further block.
  bool done = *status == ::common::SUCCESS ||
              (!options.wait && *status == ::common::NOT_FOUND && delivered > 0);
  std::cout << fmt::format("delivered {} block(s); orderer status {}\n", delivered,
                           ::common::Status_Name(*status));
  return done ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"weft-orderer-client: broadcast envelopes to and deliver blocks from an orderer"};
  app.require_subcommand(1);
  Options options;
  auto add_common = [&](CLI::App* command) {
    command->add_option("-o,--orderer", options.orderer, "Orderer endpoint host:port")->required();
    command->add_option("-c,--channelID", options.channel, "Channel")->required();
    command->add_option("--mspDir", options.msp_dir, "MSP folder of the signing identity")
        ->required();
    command->add_option("--mspID", options.msp_id, "MSP ID of the signing identity")->required();
    command->add_option("--tlsRootCertFile", options.tls_ca,
                        "PEM CA of the orderer's TLS certificate");
  };
  auto* broadcast = app.add_subcommand("broadcast", "Send signed envelopes for ordering");
  add_common(broadcast);
  broadcast->add_option("--count", options.count, "Number of envelopes")
      ->check(CLI::Range(1, 100000));
  broadcast->add_option("--message", options.message, "Payload text");
  auto* deliver = app.add_subcommand("deliver", "Read and verify blocks");
  add_common(deliver);
  deliver->add_option("--genesis", options.genesis, "The channel's genesis block (trust anchor)")
      ->required();
  deliver->add_option("--start", options.start, "First block");
  deliver->add_option("--stop", options.stop, "Last block");
  deliver->add_flag("--wait", options.wait, "Wait for blocks not yet cut");
  CLI11_PARSE(app, argc, argv);

  auto local = weft::msp::LoadLocalMsp(options.msp_dir, options.msp_id);
  if (!local.ok()) return Fail("loading the MSP", local.status());
  if (broadcast->parsed()) return Broadcast(options, local->signer);
  return Deliver(options, local->signer);
}
