// The genesis block Weft's configtxgen writes decodes with @hyperledger/fabric-protos,
// the bindings Fabric's Node SDKs use, into the channel config the profile describes.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <utility>

#include "nlohmann/json.hpp"
#include "tests/integration/configtxgen/network.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using weft::testing::TempDir;
using weft::testing::configtxgen::Configtxgen;
using weft::testing::configtxgen::MakeNetwork;
using weft::testing::configtxgen::ReadFile;
using weft::testing::configtxgen::Run;
using weft::testing::configtxgen::RunResult;

constexpr const char* kScript =
    WEFT_SOURCE_DIR "/tests/interop/config_block/decode_config_block.js";

}  // namespace

TEST_CASE("A configtxgen genesis block decodes with Fabric's Node protos into the profile") {
  REQUIRE(fs::exists(WEFT_SOURCE_DIR "/tests/interop/node_modules/@hyperledger/fabric-protos"));
  TempDir root("weft-config-block-interop");
  const fs::path configtx_dir = MakeNetwork(root.path());
  const fs::path block_file = root / "genesis.block";
  RunResult generated =
      Configtxgen({"-profile", "TwoOrgsKafka", "-channelID", "interopchannel", "-outputBlock",
                   block_file.string(), "-configPath", configtx_dir.string()},
                  root.path());
  INFO(generated.err);
  REQUIRE(generated.exit_code == 0);

  // Run from tests/interop so that node finds node_modules there.
  RunResult decoded =
      Run({WEFT_NODE_EXECUTABLE, kScript, block_file.string()}, WEFT_SOURCE_DIR "/tests/interop");
  INFO(decoded.err);
  REQUIRE(decoded.exit_code == 0);
  const nlohmann::json block = nlohmann::json::parse(decoded.out);
  CHECK(block.at("block_number") == 0);
  CHECK(block.at("envelopes") == 1);
  CHECK(block.at("header_type_is_config") == true);
  CHECK(block.at("channel_id") == "interopchannel");
  CHECK(block.at("sequence") == 0);

  const nlohmann::json& paths = block.at("paths");
  for (const auto& [path, entry] : paths.items()) {
    INFO(path);
    CHECK(entry.at("mod_policy") == "Admins");
  }
  CHECK(paths.size() == 47);  // the integration test lists them one by one
  auto value = [&](const std::string& path) { return paths.at(path).at("value"); };
  CHECK(value("/Channel/values/HashingAlgorithm").at("name") == "SHA256");
  CHECK(value("/Channel/values/BlockDataHashingStructure").at("width") == 4294967295u);
  CHECK(value("/Channel/values/OrdererAddresses").at("addresses") ==
        nlohmann::json::array({"orderer.example.com:7050"}));
  CHECK(value("/Channel/values/Capabilities").at("capabilities") ==
        nlohmann::json::array({"V2_0"}));

  const std::string orderer = "/Channel/groups/Orderer";
  CHECK(value(orderer + "/values/ConsensusType").at("type") == "kafka");
  const nlohmann::json batch_size = value(orderer + "/values/BatchSize");
  CHECK(batch_size.at("max_message_count") == 10);
  CHECK(batch_size.at("absolute_max_bytes") == 99 * 1024 * 1024);
  CHECK(batch_size.at("preferred_max_bytes") == 512 * 1024);
  CHECK(value(orderer + "/values/BatchTimeout").at("timeout") == "1.5s");
  CHECK(value(orderer + "/values/ChannelRestrictions").at("max_count") == 7);
  CHECK(value(orderer + "/values/KafkaBrokers").at("brokers") ==
        nlohmann::json::array({"kafka0.example.com:9092", "kafka1.example.com:9092"}));
  CHECK(paths.at(orderer + "/policies/BlockValidation").at("type") == 3);  // IMPLICIT_META
  CHECK(value(orderer + "/groups/OrdererOrg/values/Endpoints").at("addresses") ==
        nlohmann::json::array({"orderer.example.com:7050"}));
  CHECK(value(orderer + "/groups/OrdererOrg/values/MSP").at("name") == "OrdererMSP");

  const std::string application = "/Channel/groups/Application";
  CHECK(value(application + "/values/Capabilities").at("capabilities") ==
        nlohmann::json::array({"V2_5"}));
  CHECK(value(application + "/values/ACLs").at("acls").at("event/Block") ==
        "/Channel/Application/Readers");
  for (const auto& [org, msp_id] : {std::pair<std::string, std::string>{"org1", "Org1MSP"},
                                    std::pair<std::string, std::string>{"org2", "Org2MSP"}}) {
    const std::string group = application + "/groups/" + msp_id;
    INFO(group);
    CHECK(paths.at(group + "/policies/Endorsement").at("type") == 1);  // SIGNATURE
    const nlohmann::json msp = value(group + "/values/MSP");
    CHECK(msp.at("type") == 0);
    CHECK(msp.at("name") == msp_id);
    CHECK(msp.at("node_ous_enabled") == true);
    const fs::path cacerts =
        root / "organizations" / "peerOrganizations" / (org + ".example.com") / "msp" / "cacerts";
    CHECK(msp.at("root_certs") ==
          nlohmann::json::array({ReadFile(*fs::directory_iterator(cacerts))}));
    CHECK(value(group + "/values/AnchorPeers").at("anchor_peers").at(0).at("host") ==
          "peer0." + org + ".example.com");
  }
}
