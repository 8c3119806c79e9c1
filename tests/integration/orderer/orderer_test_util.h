// Client-side helpers of the orderer integration tests: envelopes, one-envelope
// broadcasts, verified delivery, metrics. Test thread only (they assert).
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "client-sdk/orderer_client.h"
#include "common/protoutil/envelope.h"
#include "msp/local_msp.h"
#include "msp/signing_identity.h"
#include "tests/integration/orderer/solo_network.h"

namespace weft::testing::orderer_it {

inline msp::SigningIdentity LoadUser(const std::filesystem::path& msp_dir,
                                     const std::string& msp_id) {
  auto local = msp::LoadLocalMsp(msp_dir, msp_id);
  REQUIRE(local.ok());
  return local->signer;
}

inline ::common::Envelope Envelope(const common::protoutil::Signer& signer, const std::string& data,
                                   const std::string& channel = kChannel) {
  auto envelope = common::protoutil::CreateSignedEnvelope(::common::MESSAGE, channel, signer, data);
  REQUIRE(envelope.ok());
  return *envelope;
}

inline ::orderer::BroadcastResponse BroadcastOne(client::OrdererClient& client,
                                                 const ::common::Envelope& envelope) {
  auto responses = client.Broadcast({envelope});
  REQUIRE(responses.ok());
  REQUIRE(responses->size() == 1);
  return responses->front();
}

inline ::common::Block ReadBlock(const std::filesystem::path& path) {
  ::common::Block block;
  REQUIRE(block.ParseFromString(ReadFile(path)));
  return block;
}

// Delivers blocks [0, last] (waiting for them) and verifies the chain from genesis.
inline std::vector<::common::Block> DeliverVerified(client::OrdererClient& client,
                                                    const common::protoutil::Signer& reader,
                                                    const std::filesystem::path& genesis_path,
                                                    uint64_t last) {
  auto verifier = client::ChainVerifier::FromGenesis(ReadBlock(genesis_path));
  REQUIRE(verifier.ok());
  std::vector<::common::Block> blocks;
  auto status = client.Deliver(kChannel, 0, last, reader, true, [&](const ::common::Block& block) {
    blocks.push_back(block);
    return true;
  });
  REQUIRE(status.ok());
  CHECK(*status == ::common::SUCCESS);
  REQUIRE(blocks.size() == last + 1);
  for (size_t i = 1; i < blocks.size(); ++i) {
    INFO("block " << i);
    CHECK(verifier->Verify(blocks[i]).ok());
  }
  return blocks;
}

}  // namespace weft::testing::orderer_it
