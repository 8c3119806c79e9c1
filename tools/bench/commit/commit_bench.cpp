// A committing peer's work per block, as create-2org gives it: BlockCommitter::CommitBlock
// (Validator: headers, the creator's signature, the endorsement policy over two
// endorsements; then PeerLedger::CommitBlock: MVCC and the LevelDB writes) of
// 500-transaction blocks on a two-thread validation pool. Every transaction is a
// CreateAsset-like one: it reads a new key (absent) and writes it, endorsed by one peer
// of each of two orgs against the channel's MAJORITY Endorsement policy.
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/channelconfig/config_builder.h"
#include "common/concurrency/thread_pool.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/policy.pb.h"
#include "peer/validator/committer.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

namespace {

namespace channelconfig = weft::common::channelconfig;
namespace ledger = weft::peer::ledger;
namespace lifecycle = weft::peer::lifecycle;
namespace testing = weft::testing;

constexpr int kTxsPerBlock = 500;
const std::string kChannel = "benchchannel";

template <typename T>
T Must(weft::StatusOr<T> value) {
  if (!value.ok()) throw std::runtime_error(value.status().ToString());
  return *std::move(value);
}
void Must(const weft::Status& status) {
  if (!status.ok()) throw std::runtime_error(status.ToString());
}

// Two application orgs (NodeOUs) with a client and a peer each, and an orderer org.
struct Orgs {
  testing::TestIdentity orderer_ca = testing::MakeTestCa("ca.example.com", "Orderer");
  testing::TestIdentity org1_ca = testing::MakeTestCa("ca.org1.example.com", "Org1");
  testing::TestIdentity org2_ca = testing::MakeTestCa("ca.org2.example.com", "Org2");
  weft::msp::SigningIdentity client1 =
      testing::MakeSigner(testing::IssueLeaf(org1_ca, "User1", {"client"}), "Org1MSP");
  weft::msp::SigningIdentity peer1 =
      testing::MakeSigner(testing::IssueLeaf(org1_ca, "peer0.org1", {"peer"}), "Org1MSP");
  weft::msp::SigningIdentity peer2 =
      testing::MakeSigner(testing::IssueLeaf(org2_ca, "peer0.org2", {"peer"}), "Org2MSP");

  channelconfig::ChannelSpec Spec() const {
    channelconfig::ChannelSpec spec;
    spec.policies = testing::StandardPolicies();
    spec.capabilities = {"V2_0"};
    spec.orderer = testing::StandardOrderer(orderer_ca);
    channelconfig::ApplicationSpec application;
    application.policies = testing::StandardPolicies();
    application.policies["Endorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
    application.policies["LifecycleEndorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
    application.capabilities = {"V2_5"};
    application.organizations = {testing::NodeOuOrg("Org1MSP", org1_ca),
                                 testing::NodeOuOrg("Org2MSP", org2_ca)};
    spec.application = application;
    return spec;
  }
};

void BM_ValidateAndCommitBlock(benchmark::State& state) {
  Orgs orgs;
  testing::TempDir dir("weft-commit-bench");
  const ::common::Block genesis = Must(
      channelconfig::BuildGenesisBlock(kChannel, Must(channelconfig::BuildConfig(orgs.Spec()))));
  std::unique_ptr<ledger::PeerLedger> peer_ledger =
      Must(ledger::LedgerManager(dir.path()).CreateLedger(genesis));

  // Chaincode `basic` with the channel's Endorsement policy (what network.sh deploys).
  {
    lifecycle::ChaincodeDefinition basic;
    basic.sequence = 1;
    basic.endorsement_info.set_version("1.0");
    basic.endorsement_info.set_endorsement_plugin("escc");
    basic.validation_info.set_validation_plugin("vscc");
    ::protos::ApplicationPolicy policy;
    policy.set_channel_config_policy_reference("/Channel/Application/Endorsement");
    basic.validation_info.set_validation_parameter(policy.SerializeAsString());
    std::unique_ptr<ledger::TxSimulator> simulator = peer_ledger->NewTxSimulator();
    lifecycle::LifecycleSimulatorState lifecycle_state(*simulator);
    Must(lifecycle::WriteChaincodeDefinition("basic", basic, lifecycle_state));
    ::rwset::TxReadWriteSet results = Must(simulator->GetTxSimulationResults());
    auto info = peer_ledger->GetBlockchainInfo();
    Must(peer_ledger->CommitBlock(
        testing::LedgerBlock(info.height, info.current_block_hash,
                             {testing::EndorserTxEnvelope(kChannel, "define-basic", results)}),
        {::protos::VALID}));
  }

  weft::common::concurrency::ThreadPool pool(2);
  weft::peer::validator::BlockCommitter committer(
      *peer_ledger, Must(channelconfig::ChannelConfig::FromConfigBlock(genesis)), pool);
  uint64_t next_key = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::string> envelopes;
    for (int i = 0; i < kTxsPerBlock; ++i) {
      const std::string key = "asset" + std::to_string(next_key++);
      ledger::rwset::RwSetBuilder builder;
      builder.AddRead("basic", key, std::nullopt);
      builder.AddWrite("basic", key, std::string(120, 'v'));
      testing::EndorserTxSpec spec;
      spec.channel_id = kChannel;
      spec.chaincode = "basic";
      spec.results = builder.Build();
      spec.creator = &orgs.client1;
      spec.endorsers = {&orgs.peer1, &orgs.peer2};
      envelopes.push_back(testing::BuildEndorserTx(spec).Bytes());
    }
    auto info = peer_ledger->GetBlockchainInfo();
    ::common::Block block = testing::LedgerBlock(info.height, info.current_block_hash, envelopes);
    state.ResumeTiming();

    auto codes = committer.CommitBlock(std::move(block));
    if (!codes.ok()) {
      state.SkipWithError(codes.status().ToString().c_str());
      break;
    }
    for (auto code : *codes) {
      if (code != ::protos::VALID) {
        state.SkipWithError(("a transaction was " + ::protos::TxValidationCode_Name(code)).c_str());
        break;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kTxsPerBlock);
}
BENCHMARK(BM_ValidateAndCommitBlock)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
