#include "peer/validator/validator.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/channelconfig/config_builder.h"
#include "common/concurrency/executor.h"
#include "common/concurrency/thread_pool.h"
#include "common/configtx/update.h"
#include "common/configtx/validator.h"
#include "common/policies/policy_dsl.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "msp/ecdsa_counter.h"
#include "peer/chaincode_event.pb.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/transient_store.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/policy.pb.h"
#include "peer/validator/committer.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/require_ok.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crypto.h"
#include "tests/support/test_orgs.h"

namespace weft::peer::validator {
namespace {

using weft::testing::RequireOk;

using Code = ::protos::TxValidationCode;
using common::channelconfig::ChannelConfig;
using testing::EndorserTxSpec;

constexpr char kChannel[] = "mychannel";

std::string CodeName(Code code) { return ::protos::TxValidationCode_Name(code); }

// Two application orgs with a client and a peer each (NodeOUs), an orderer org.
struct Orgs {
  testing::TestIdentity orderer_ca = testing::MakeTestCa("ca.example.com", "Orderer");
  testing::TestIdentity org1_ca = testing::MakeTestCa("ca.org1.example.com", "Org1");
  testing::TestIdentity org2_ca = testing::MakeTestCa("ca.org2.example.com", "Org2");
  testing::TestIdentity stranger_ca = testing::MakeTestCa("ca.evil.example.com", "Evil");
  msp::SigningIdentity orderer =
      testing::MakeSigner(testing::IssueLeaf(orderer_ca, "orderer0", {"orderer"}), "OrdererMSP");
  msp::SigningIdentity client1 =
      testing::MakeSigner(testing::IssueLeaf(org1_ca, "User1", {"client"}), "Org1MSP");
  msp::SigningIdentity peer1 =
      testing::MakeSigner(testing::IssueLeaf(org1_ca, "peer0.org1", {"peer"}), "Org1MSP");
  msp::SigningIdentity admin1 =
      testing::MakeSigner(testing::IssueLeaf(org1_ca, "Admin@org1", {"admin"}), "Org1MSP");
  msp::SigningIdentity client2 =
      testing::MakeSigner(testing::IssueLeaf(org2_ca, "User1", {"client"}), "Org2MSP");
  msp::SigningIdentity peer2 =
      testing::MakeSigner(testing::IssueLeaf(org2_ca, "peer0.org2", {"peer"}), "Org2MSP");
  msp::SigningIdentity admin2 =
      testing::MakeSigner(testing::IssueLeaf(org2_ca, "Admin@org2", {"admin"}), "Org2MSP");
  // Claims Org1MSP with a certificate of another CA.
  msp::SigningIdentity impostor =
      testing::MakeSigner(testing::IssueLeaf(stranger_ca, "eve", {"client"}), "Org1MSP");
  // Names an MSP the channel does not have.
  msp::SigningIdentity stranger =
      testing::MakeSigner(testing::IssueLeaf(stranger_ca, "eve", {"client"}), "EvilMSP");

  common::channelconfig::ChannelSpec Spec(bool lifecycle_policy) const {
    common::channelconfig::ChannelSpec spec;
    spec.policies = testing::StandardPolicies();
    spec.capabilities = {"V2_0"};
    spec.orderer = testing::StandardOrderer(orderer_ca);
    common::channelconfig::ApplicationSpec application;
    application.policies = testing::StandardPolicies();
    application.policies["Endorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
    if (lifecycle_policy) {
      application.policies["LifecycleEndorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
    }
    application.capabilities = {"V2_5"};
    application.organizations = {testing::NodeOuOrg("Org1MSP", org1_ca),
                                 testing::NodeOuOrg("Org2MSP", org2_ca)};
    spec.application = application;
    return spec;
  }
};

std::string SignatureEnvelope(const std::string& text) {
  return RequireOk(common::policies::ParsePolicy(text)).SerializeAsString();
}

// protos.ApplicationPolicy bytes of a signature policy in the policy language.
std::string SignaturePolicy(const std::string& text) {
  ::protos::ApplicationPolicy policy;
  *policy.mutable_signature_policy() = RequireOk(common::policies::ParsePolicy(text));
  return policy.SerializeAsString();
}

std::string PolicyReference(const std::string& path) {
  ::protos::ApplicationPolicy policy;
  policy.set_channel_config_policy_reference(path);
  return policy.SerializeAsString();
}

lifecycle::ChaincodeDefinition Definition(std::string policy, std::string plugin = "vscc") {
  lifecycle::ChaincodeDefinition definition;
  definition.sequence = 1;
  definition.endorsement_info.set_version("1.0");
  definition.endorsement_info.set_endorsement_plugin("escc");
  definition.validation_info.set_validation_plugin(std::move(plugin));
  definition.validation_info.set_validation_parameter(std::move(policy));
  return definition;
}

// --- rwsets -------------------------------------------------------------------

::kvrwset::KVRWSet Writes(const std::vector<std::pair<std::string, std::string>>& writes) {
  ::kvrwset::KVRWSet kv;
  for (const auto& [key, value] : writes) {
    auto* write = kv.add_writes();
    write->set_key(key);
    write->set_value(value);
  }
  return kv;
}

::kvrwset::KVRWSet Reads(const std::vector<std::string>& keys) {
  ::kvrwset::KVRWSet kv;
  for (const auto& key : keys) kv.add_reads()->set_key(key);
  return kv;
}

// A metadata write giving `key` the validation parameter `policy_text`.
::kvrwset::KVRWSet ValidationParameterWrite(const std::string& key,
                                            const std::string& policy_text) {
  ::kvrwset::KVRWSet kv;
  auto* write = kv.add_metadata_writes();
  write->set_key(key);
  auto* entry = write->add_entries();
  entry->set_name("VALIDATION_PARAMETER");
  entry->set_value(SignatureEnvelope(policy_text));
  return kv;
}

// A hashed metadata write giving `key_hash` the validation parameter `policy_text`.
::kvrwset::HashedRWSet HashedValidationParameterWrite(const std::string& key_hash,
                                                      const std::string& policy_text) {
  ::kvrwset::HashedRWSet hashed;
  auto* write = hashed.add_metadata_writes();
  write->set_key_hash(key_hash);
  auto* entry = write->add_entries();
  entry->set_name("VALIDATION_PARAMETER");
  entry->set_value(SignatureEnvelope(policy_text));
  return hashed;
}

::kvrwset::HashedRWSet HashedWrite(const std::string& key_hash) {
  ::kvrwset::HashedRWSet hashed;
  auto* write = hashed.add_hashed_writes();
  write->set_key_hash(key_hash);
  write->set_value_hash("value-hash");
  return hashed;
}

struct NsSpec {
  std::string ns;
  ::kvrwset::KVRWSet kv;
  std::vector<std::pair<std::string, ::kvrwset::HashedRWSet>> collections;
};

::rwset::TxReadWriteSet RwSet(const std::vector<NsSpec>& namespaces) {
  ::rwset::TxReadWriteSet rwset;
  for (const auto& spec : namespaces) {
    auto* ns = rwset.add_ns_rwset();
    ns->set_namespace_(spec.ns);
    ns->set_rwset(spec.kv.SerializeAsString());
    for (const auto& [name, hashed] : spec.collections) {
      auto* collection = ns->add_collection_hashed_rwset();
      collection->set_collection_name(name);
      collection->set_hashed_rwset(hashed.SerializeAsString());
    }
  }
  return rwset;
}

// --- the channel ----------------------------------------------------------------

// A peer's channel: a ledger created from a two-org genesis block, with chaincode
// definitions and key metadata committed into its state directly (as blocks whose
// codes are given, bypassing validation), and blocks validated against it.
class Channel {
 public:
  explicit Channel(bool lifecycle_policy = true) {
    genesis_ = RequireOk(common::channelconfig::BuildGenesisBlock(
        kChannel, RequireOk(common::channelconfig::BuildConfig(orgs.Spec(lifecycle_policy)))));
    ledger_ = RequireOk(ledger::LedgerManager(dir_.path()).CreateLedger(genesis_));
    bundle_ = RequireOk(ChannelConfig::FromConfigBlock(genesis_, ecdsa));
    view_ = NewPeerLedgerView(*ledger_);

    // AND of both orgs' peers; one org's peer; a channel policy reference.
    lifecycle::ChaincodeDefinition basic =
        Definition(SignaturePolicy("AND('Org1MSP.peer', 'Org2MSP.peer')"));
    auto* shared = basic.collections.add_config()->mutable_static_collection_config();
    shared->set_name("shared");
    auto* org1only = basic.collections.add_config()->mutable_static_collection_config();
    org1only->set_name("org1only");
    *org1only->mutable_endorsement_policy()->mutable_signature_policy() =
        RequireOk(common::policies::ParsePolicy("OR('Org1MSP.peer')"));
    Define("basic", basic);
    Define("org1cc", Definition(SignaturePolicy("OR('Org1MSP.peer')")));
    Define("refcc", Definition(PolicyReference("/Channel/Application/Endorsement")));
    Define("noplugin", Definition(SignaturePolicy("OR('Org1MSP.peer')"), ""));
    Define("customplugin", Definition(SignaturePolicy("OR('Org1MSP.peer')"), "custom"));
  }

  Orgs orgs;
  // Counts the signature checks of the channel's MSPs.
  std::shared_ptr<msp::EcdsaCounter> ecdsa = std::make_shared<msp::EcdsaCounter>();

  ledger::PeerLedger& ledger() { return *ledger_; }
  std::shared_ptr<const ChannelConfig> bundle() const { return bundle_; }
  const LedgerView& view() const { return *view_; }

  // Commits what `body` writes as the next block's only transaction.
  void CommitSetup(const std::function<void(ledger::TxSimulator&)>& body) {
    std::unique_ptr<ledger::TxSimulator> simulator = ledger_->NewTxSimulator();
    body(*simulator);
    ::rwset::TxReadWriteSet results = RequireOk(simulator->GetTxSimulationResults());
    std::string tx_id = "setup-" + std::to_string(setup_count_++);
    REQUIRE(ledger_
                ->CommitBlock(NextBlock({testing::EndorserTxEnvelope(kChannel, tx_id, results)}),
                              {::protos::VALID})
                .ok());
  }

  // Commits `rwset` as is (for private-data hashes, which simulators do not write).
  void CommitRwSet(const ::rwset::TxReadWriteSet& rwset) {
    std::string tx_id = "setup-" + std::to_string(setup_count_++);
    REQUIRE(ledger_
                ->CommitBlock(NextBlock({testing::EndorserTxEnvelope(kChannel, tx_id, rwset)}),
                              {::protos::VALID})
                .ok());
  }

  void Define(const std::string& name, const lifecycle::ChaincodeDefinition& definition) {
    CommitSetup([&](ledger::TxSimulator& simulator) {
      lifecycle::LifecycleSimulatorState state(simulator);
      REQUIRE(lifecycle::WriteChaincodeDefinition(name, definition, state).ok());
    });
  }

  // Commits `key` of `ns` with a validation parameter (a signature policy).
  void PutWithValidationParameter(const std::string& ns, const std::string& key,
                                  const std::string& policy_text) {
    CommitSetup([&](ledger::TxSimulator& simulator) {
      REQUIRE(simulator.PutState(ns, key, "v0").ok());
      REQUIRE(
          simulator
              .SetStateMetadata(ns, key, {{"VALIDATION_PARAMETER", SignatureEnvelope(policy_text)}})
              .ok());
    });
  }

  ::common::Block NextBlock(const std::vector<std::string>& envelopes) const {
    auto info = ledger_->GetBlockchainInfo();
    return testing::LedgerBlock(info.height, info.current_block_hash, envelopes);
  }

  // A transaction of `chaincode` by client1 endorsed by both peers.
  EndorserTxSpec Tx(const std::string& chaincode, ::rwset::TxReadWriteSet rwset) const {
    EndorserTxSpec spec;
    spec.channel_id = kChannel;
    spec.chaincode = chaincode;
    spec.results = std::move(rwset);
    spec.creator = &orgs.client1;
    spec.endorsers = {&orgs.peer1, &orgs.peer2};
    return spec;
  }

  [[nodiscard]] StatusOr<BlockValidation> TryValidate(const std::vector<std::string>& envelopes,
                                                      common::concurrency::Executor& executor) {
    Validator validator(kChannel, *view_, executor);
    return validator.Validate(NextBlock(envelopes), bundle_);
  }

  std::vector<Code> Validate(const std::vector<std::string>& envelopes,
                             common::concurrency::Executor& executor) {
    return RequireOk(TryValidate(envelopes, executor)).codes;
  }

  std::vector<Code> Validate(const std::vector<std::string>& envelopes) {
    common::concurrency::InlineExecutor inline_executor;
    return Validate(envelopes, inline_executor);
  }

  Code ValidateOne(const EndorserTxSpec& spec) {
    auto codes = Validate({testing::BuildEndorserTx(spec).Bytes()});
    REQUIRE(codes.size() == 1);
    return codes[0];
  }

  std::string State(const std::string& ns, const std::string& key) {
    auto query = ledger_->NewQueryExecutor();
    std::string value = RequireOk(query->GetState(ns, key));
    query->Done();
    return value;
  }

 private:
  testing::TempDir dir_;
  ::common::Block genesis_;
  std::unique_ptr<ledger::PeerLedger> ledger_;
  std::shared_ptr<const ChannelConfig> bundle_;
  std::unique_ptr<LedgerView> view_;
  int setup_count_ = 0;
};

// One transaction of the code table: a name, how to make its envelope bytes,
// the code Fabric's v20 validator gives it.
struct Case {
  std::string name;
  std::function<std::string(Channel&)> envelope;
  Code expected;
};

std::function<std::string(Channel&)> Spec(std::function<void(Channel&, EndorserTxSpec&)> edit) {
  return [edit = std::move(edit)](Channel& channel) {
    EndorserTxSpec spec = channel.Tx("basic", RwSet({{"basic", Writes({{"k1", "v1"}}), {}}}));
    edit(channel, spec);
    return testing::BuildEndorserTx(spec).Bytes();
  };
}

std::vector<Case> CodeTable() {
  using S = EndorserTxSpec;
  using C = Channel;
  return {
      {"well formed and endorsed by both orgs' peers", Spec([](C&, S&) {}), ::protos::VALID},
      // validateTx: GetEnvelopeFromBlock fails.
      {"envelope bytes that do not parse", [](C&) { return std::string("\xff\xff\xff"); },
       ::protos::INVALID_OTHER_REASON},
      // ValidateTransaction: UnmarshalPayload fails.
      {"payload bytes that do not parse",
       Spec([](C&, S& s) { s.edit_envelope = [](auto& e) { e.set_payload("\xff\xff\xff"); }; }),
       ::protos::BAD_PAYLOAD},
      // An empty entry decodes to an empty Envelope (never a nil one, which is
      // what NIL_ENVELOPE means in Go): its payload has no header.
      {"an empty data entry", [](C&) { return std::string(); }, ::protos::BAD_COMMON_HEADER},
      // validateCommonHeader: nil header, epoch != 0, header type, nonce.
      {"payload without header",
       Spec([](C&, S& s) { s.edit_payload = [](auto& p) { p.clear_header(); }; }),
       ::protos::BAD_COMMON_HEADER},
      {"channel header with epoch 1",
       Spec([](C&, S& s) { s.edit_channel_header = [](auto& h) { h.set_epoch(1); }; }),
       ::protos::BAD_COMMON_HEADER},
      {"channel header of type MESSAGE", Spec([](C&, S& s) {
         s.edit_channel_header = [](auto& h) { h.set_type(::common::MESSAGE); };
       }),
       ::protos::BAD_COMMON_HEADER},
      {"signature header without nonce",
       Spec([](C&, S& s) { s.edit_signature_header = [](auto& h) { h.clear_nonce(); }; }),
       ::protos::BAD_COMMON_HEADER},
      // checkSignatureFromCreator: deserialize, Validate, Verify.
      {"envelope signed by another key", Spec([](C& c, S& s) {
         s.edit_envelope = [&c](auto& e) {
           e.set_signature(c.orgs.client2.Sign(e.payload()).value());
         };
       }),
       ::protos::BAD_CREATOR_SIGNATURE},
      {"creator of an MSP the channel lacks",
       Spec([](C& c, S& s) { s.creator = &c.orgs.stranger; }), ::protos::BAD_CREATOR_SIGNATURE},
      {"creator claiming Org1MSP with another CA's certificate",
       Spec([](C& c, S& s) { s.creator = &c.orgs.impostor; }), ::protos::BAD_CREATOR_SIGNATURE},
      // ValidateTransaction: CheckTxID.
      {"tx id not derived from nonce and creator",
       Spec([](C&, S& s) { s.edit_channel_header = [](auto& h) { h.set_tx_id("0123abcd"); }; }),
       ::protos::BAD_PROPOSAL_TXID},
      // validateEndorserTransaction: one action, proposal hash.
      {"two actions", Spec([](C&, S& s) {
         s.edit_transaction = [](auto& t) { *t.add_actions() = t.actions(0); };
       }),
       ::protos::INVALID_ENDORSER_TRANSACTION},
      {"proposal response payload for another proposal", Spec([](C&, S& s) {
         s.edit_response_payload = [](auto& r) { r.set_proposal_hash("another proposal"); };
       }),
       ::protos::INVALID_ENDORSER_TRANSACTION},
      // ValidateTransaction's switch on the header type.
      {"CONFIG_UPDATE envelope", Spec([](C&, S& s) {
         s.edit_channel_header = [](auto& h) { h.set_type(::common::CONFIG_UPDATE); };
       }),
       ::protos::UNSUPPORTED_TX_PAYLOAD},
      {"CONFIG envelope without data", Spec([](C&, S& s) {
         s.edit_channel_header = [](auto& h) { h.set_type(::common::CONFIG); };
         s.edit_payload = [](auto& p) { p.clear_data(); };
       }),
       ::protos::INVALID_CONFIG_TRANSACTION},
      // validateTx: chainExists.
      {"transaction of another channel", Spec([](C&, S& s) {
         s.edit_channel_header = [](auto& h) { h.set_channel_id("otherchannel"); };
       }),
       ::protos::TARGET_CHAIN_NOT_FOUND},
      // Dispatch: header extension, GetActionFromEnvelope, rwset.
      {"header extension that does not parse", Spec([](C&, S& s) {
         s.edit_channel_header = [](auto& h) { h.set_extension("\xff\xff\xff"); };
       }),
       ::protos::BAD_HEADER_EXTENSION},
      {"proposal response payload without extension",
       Spec([](C&, S& s) { s.edit_response_payload = [](auto& r) { r.clear_extension(); }; }),
       ::protos::BAD_RESPONSE_PAYLOAD},
      {"chaincode action that does not parse", Spec([](C&, S& s) {
         s.edit_response_payload = [](auto& r) { r.set_extension("\xff\xff\xff"); };
       }),
       ::protos::BAD_RESPONSE_PAYLOAD},
      {"results that do not parse",
       Spec([](C&, S& s) { s.edit_action = [](auto& a) { a.set_results("\xff\xff\xff"); }; }),
       ::protos::BAD_RWSET},
      // Dispatch: chaincode ids and event.
      {"header extension without chaincode id",
       Spec([](C&, S& s) { s.edit_channel_header = [](auto& h) { h.clear_extension(); }; }),
       ::protos::INVALID_OTHER_REASON},
      {"chaincode event of another chaincode", Spec([](C&, S& s) {
         ::protos::ChaincodeEvent event;
         event.set_chaincode_id("org1cc");
         event.set_event_name("moved");
         s.events = event.SerializeAsString();
       }),
       ::protos::INVALID_OTHER_REASON},
      {"chaincode event of the invoked chaincode", Spec([](C&, S& s) {
         ::protos::ChaincodeEvent event;
         event.set_chaincode_id("basic");
         event.set_event_name("moved");
         s.events = event.SerializeAsString();
       }),
       ::protos::VALID},
      {"chaincode without committed definition", Spec([](C&, S& s) {
         s.chaincode = "ghost";
         s.results = RwSet({{"ghost", Writes({{"k", "v"}}), {}}});
       }),
       ::protos::INVALID_CHAINCODE},
      {"action of another chaincode than the header", Spec([](C&, S& s) {
         s.edit_action = [](auto& a) { a.mutable_chaincode_id()->set_name("org1cc"); };
       }),
       ::protos::INVALID_CHAINCODE},
      {"action without chaincode version", Spec([](C&, S& s) { s.chaincode_version.clear(); }),
       ::protos::INVALID_CHAINCODE},
      // getCDataForCC: "plugin field must be set".
      {"definition without validation plugin", Spec([](C&, S& s) {
         s.chaincode = "noplugin";
         s.results = RwSet({{"noplugin", Writes({{"k", "v"}}), {}}});
       }),
       ::protos::INVALID_CHAINCODE},
      {"a namespace twice", Spec([](C&, S& s) {
         s.results = RwSet({{"basic", Writes({{"a", "1"}}), {}}, {"basic", Reads({"b"}), {}}});
       }),
       ::protos::ILLEGAL_WRITESET},
      {"another written namespace without definition", Spec([](C&, S& s) {
         s.results =
             RwSet({{"basic", Writes({{"a", "1"}}), {}}, {"ghost", Writes({{"b", "2"}}), {}}});
       }),
       ::protos::INVALID_CHAINCODE},
      {"another namespace only read, without definition", Spec([](C&, S& s) {
         s.results = RwSet({{"basic", Writes({{"a", "1"}}), {}}, {"ghost", Reads({"b"}), {}}});
       }),
       ::protos::VALID},
      // Endorsement policies (policyCheckerV20 with the cauthdsl evaluator).
      {"endorsed by one of the two orgs required",
       Spec([](C& c, S& s) { s.endorsers = {&c.orgs.peer1}; }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"the same endorser twice", Spec([](C& c, S& s) {
         s.endorsers = {&c.orgs.peer1, &c.orgs.peer1};
       }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"an endorsement signature over other bytes", Spec([](C&, S& s) {
         s.edit_action_payload = [](auto& p) {
           auto* endorsed = p.mutable_action();
           endorsed->mutable_endorsements(1)->set_signature(endorsed->endorsements(0).signature());
         };
       }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"clients endorsing where peers are required", Spec([](C& c, S& s) {
         s.endorsers = {&c.orgs.client1, &c.orgs.client2};
       }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"no endorsement", Spec([](C&, S& s) { s.endorsers.clear(); }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"only reads, endorsed by one org (the invoked chaincode is still checked)",
       Spec([](C& c, S& s) {
         s.results = RwSet({{"basic", Reads({"a"}), {}}});
         s.endorsers = {&c.orgs.peer1};
       }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"also writes a namespace whose policy the endorsers miss", Spec([](C& c, S& s) {
         s.chaincode = "org1cc";
         s.results =
             RwSet({{"basic", Writes({{"a", "1"}}), {}}, {"org1cc", Writes({{"b", "2"}}), {}}});
         s.endorsers = {&c.orgs.peer1};
       }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"also writes a namespace whose policy the endorsers meet", Spec([](C&, S& s) {
         s.chaincode = "org1cc";
         s.results =
             RwSet({{"basic", Writes({{"a", "1"}}), {}}, {"org1cc", Writes({{"b", "2"}}), {}}});
       }),
       ::protos::VALID},
      {"channel policy reference, one org's peer", Spec([](C& c, S& s) {
         s.chaincode = "refcc";
         s.results = RwSet({{"refcc", Writes({{"a", "1"}}), {}}});
         s.endorsers = {&c.orgs.peer1};
       }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"channel policy reference, both orgs' peers", Spec([](C&, S& s) {
         s.chaincode = "refcc";
         s.results = RwSet({{"refcc", Writes({{"a", "1"}}), {}}});
       }),
       ::protos::VALID},
      // Collections (CollectionValidationInfo).
      {"hashed write to a collection with its own policy, met", Spec([](C& c, S& s) {
         s.results = RwSet({{"basic", {}, {{"org1only", HashedWrite("h1")}}}});
         s.endorsers = {&c.orgs.peer1};
       }),
       ::protos::VALID},
      {"hashed write to a collection without policy, chaincode policy missed", Spec([](C& c, S& s) {
         s.results = RwSet({{"basic", {}, {{"shared", HashedWrite("h1")}}}});
         s.endorsers = {&c.orgs.peer1};
       }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"hashed write to a collection the definition lacks", Spec([](C&, S& s) {
         s.results = RwSet({{"basic", {}, {{"nosuch", HashedWrite("h1")}}}});
       }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"hashed write to a channel org's implicit collection, its peer endorsing",
       Spec([](C& c, S& s) {
         s.results = RwSet({{"basic", {}, {{"_implicit_org_Org2MSP", HashedWrite("h1")}}}});
         s.endorsers = {&c.orgs.peer2};
       }),
       ::protos::VALID},
      {"hashed write to the implicit collection of an org not in the channel", Spec([](C&, S& s) {
         s.results = RwSet({{"basic", {}, {{"_implicit_org_Org9MSP", HashedWrite("h1")}}}});
       }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      // _lifecycle against /Channel/Application/LifecycleEndorsement (MAJORITY Endorsement).
      {"_lifecycle write endorsed by one org's peer", Spec([](C& c, S& s) {
         s.chaincode = "_lifecycle";
         s.results = RwSet({{"_lifecycle", Writes({{"some/key", "v"}}), {}}});
         s.endorsers = {&c.orgs.peer1};
       }),
       ::protos::ENDORSEMENT_POLICY_FAILURE},
      {"_lifecycle write endorsed by both orgs' peers", Spec([](C&, S& s) {
         s.chaincode = "_lifecycle";
         s.results = RwSet({{"_lifecycle", Writes({{"some/key", "v"}}), {}}});
       }),
       ::protos::VALID},
      {"_lifecycle approval in the org's implicit collection, its peer endorsing",
       Spec([](C& c, S& s) {
         s.chaincode = "_lifecycle";
         s.results = RwSet({{"_lifecycle", {}, {{"_implicit_org_Org1MSP", HashedWrite("h1")}}}});
         s.endorsers = {&c.orgs.peer1};
       }),
       ::protos::VALID},
  };
}

}  // namespace

TEST_CASE("Each transaction gets the code Fabric's v20 validator gives it") {
  Channel channel;
  std::vector<Case> cases = CodeTable();
  std::vector<std::string> envelopes;
  for (const auto& c : cases) envelopes.push_back(c.envelope(channel));

  common::concurrency::ThreadPool pool(4);
  std::vector<Code> sequential = channel.Validate(envelopes);
  std::vector<Code> parallel = channel.Validate(envelopes, pool);
  REQUIRE(sequential.size() == cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO(cases[i].name);
    CHECK(CodeName(sequential[i]) == CodeName(cases[i].expected));
  }
  CHECK(parallel == sequential);

  // Every code but VALID comes with a reason for the log.
  common::concurrency::InlineExecutor inline_executor;
  BlockValidation full = RequireOk(channel.TryValidate(envelopes, inline_executor));
  REQUIRE(full.reasons.size() == cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO(cases[i].name << ": " << full.reasons[i]);
    CHECK(full.reasons[i].empty() == (full.codes[i] == ::protos::VALID));
  }
}

TEST_CASE(
    "Without a LifecycleEndorsement policy _lifecycle needs a majority of the orgs' members") {
  // LifecycleEndorsementPolicyAsBytes: SignedByNOutOfGivenRole(len/2+1, MEMBER).
  Channel channel(/*lifecycle_policy=*/false);
  EndorserTxSpec spec =
      channel.Tx("_lifecycle", RwSet({{"_lifecycle", Writes({{"some/key", "v"}}), {}}}));
  spec.endorsers = {&channel.orgs.client1};
  CHECK(CodeName(channel.ValidateOne(spec)) == "ENDORSEMENT_POLICY_FAILURE");
  spec.endorsers = {&channel.orgs.client1, &channel.orgs.client2};
  CHECK(CodeName(channel.ValidateOne(spec)) == "VALID");
}

TEST_CASE("A key's validation parameter replaces the chaincode's policy for that key") {
  // validator_keylevel.go checkSBAndCCEP.
  Channel channel;
  channel.PutWithValidationParameter("basic", "sbe", "OR('Org2MSP.peer')");
  EndorserTxSpec spec = channel.Tx("basic", RwSet({{"basic", Writes({{"sbe", "v1"}}), {}}}));

  SECTION("the key's policy met, the chaincode's not: VALID (no chaincode check after SBE)") {
    spec.endorsers = {&channel.orgs.peer2};
    CHECK(CodeName(channel.ValidateOne(spec)) == "VALID");
  }
  SECTION("the chaincode's policy met but not the key's") {
    spec.endorsers = {&channel.orgs.peer1};
    CHECK(CodeName(channel.ValidateOne(spec)) == "ENDORSEMENT_POLICY_FAILURE");
  }
  SECTION("a key without parameter in the same transaction still needs the chaincode's policy") {
    spec.results = RwSet({{"basic", Writes({{"plain", "1"}, {"sbe", "v1"}}), {}}});
    spec.endorsers = {&channel.orgs.peer2};
    CHECK(CodeName(channel.ValidateOne(spec)) == "ENDORSEMENT_POLICY_FAILURE");
  }
  SECTION("a metadata write is checked against the key's current parameter") {
    spec.results = RwSet({{"basic", ValidationParameterWrite("sbe", "OR('Org1MSP.peer')"), {}}});
    spec.endorsers = {&channel.orgs.peer2};
    CHECK(CodeName(channel.ValidateOne(spec)) == "VALID");
    spec.endorsers = {&channel.orgs.peer1};
    CHECK(CodeName(channel.ValidateOne(spec)) == "ENDORSEMENT_POLICY_FAILURE");
  }
}

TEST_CASE("Each signature of a transaction is checked once") {
  // Fabric checks the creator's signature (checkSignatureFromCreator) and judges the
  // endorsements against each policy (ApplicationPolicyEvaluator, whose
  // EvaluateSignedData verifies the set each time, and per org under an implicit
  // meta policy). The verdicts here are Fabric's; the verifies are 1 + 2 for a
  // creator and two endorsements, where that evaluation order costs more.
  Channel channel;
  channel.PutWithValidationParameter("basic", "sbe", "OR('Org2MSP.peer')");

  SECTION("MAJORITY Endorsement over two orgs (Fabric's order: 1 + 2 orgs x 2 = 5)") {
    EndorserTxSpec spec = channel.Tx("refcc", RwSet({{"refcc", Writes({{"k", "v"}}), {}}}));
    const uint64_t before = channel.ecdsa->verifies();
    CHECK(CodeName(channel.ValidateOne(spec)) == "VALID");
    CHECK(channel.ecdsa->verifies() - before == 3);
  }
  SECTION("a key-level and the chaincode's policy in one transaction (Fabric's: 1 + 2 + 2)") {
    EndorserTxSpec spec =
        channel.Tx("basic", RwSet({{"basic", Writes({{"plain", "1"}, {"sbe", "v1"}}), {}}}));
    const uint64_t before = channel.ecdsa->verifies();
    CHECK(CodeName(channel.ValidateOne(spec)) == "VALID");
    CHECK(channel.ecdsa->verifies() - before == 3);
  }
  SECTION("the same endorser twice is checked once and counts once") {
    EndorserTxSpec spec =
        channel.Tx("basic", RwSet({{"basic", Writes({{"plain", "1"}, {"sbe", "v1"}}), {}}}));
    spec.endorsers = {&channel.orgs.peer1, &channel.orgs.peer1};
    const uint64_t before = channel.ecdsa->verifies();
    CHECK(CodeName(channel.ValidateOne(spec)) == "ENDORSEMENT_POLICY_FAILURE");
    // The creator, then peer1 once: its second endorsement is the same signer
    // (SignatureSetToValidIdentities skips it before verifying).
    CHECK(channel.ecdsa->verifies() - before == 2);
  }
}

TEST_CASE("A validation parameter changed earlier in the block fails later writers of the key") {
  // vpmanagerimpl.go: GetValidationParameterForKey waits for the earlier
  // transactions that write the key's metadata; one that passed makes the
  // parameter in state stale (ValidationParameterUpdatedError).
  Channel channel;
  channel.PutWithValidationParameter("basic", "sbe", "OR('Org2MSP.peer')");
  EndorserTxSpec change = channel.Tx(
      "basic", RwSet({{"basic", ValidationParameterWrite("sbe", "OR('Org1MSP.peer')"), {}}}));
  change.endorsers = {&channel.orgs.peer2};
  EndorserTxSpec write = channel.Tx("basic", RwSet({{"basic", Writes({{"sbe", "v2"}}), {}}}));
  write.endorsers = {&channel.orgs.peer2};
  EndorserTxSpec other = channel.Tx("basic", RwSet({{"basic", Writes({{"other", "v"}}), {}}}));

  common::concurrency::ThreadPool pool1(1);
  common::concurrency::ThreadPool pool4(4);
  auto check_both = [&](const std::vector<std::string>& envelopes, const std::vector<Code>& want) {
    std::vector<Code> one = channel.Validate(envelopes, pool1);
    std::vector<Code> four = channel.Validate(envelopes, pool4);
    std::vector<std::string> want_names, one_names, four_names;
    for (auto code : want) want_names.push_back(CodeName(code));
    for (auto code : one) one_names.push_back(CodeName(code));
    for (auto code : four) four_names.push_back(CodeName(code));
    CHECK(one_names == want_names);
    CHECK(four_names == want_names);
  };

  SECTION("the earlier change passed") {
    check_both({testing::BuildEndorserTx(change).Bytes(), testing::BuildEndorserTx(other).Bytes(),
                testing::BuildEndorserTx(write).Bytes()},
               {::protos::VALID, ::protos::VALID, ::protos::ENDORSEMENT_POLICY_FAILURE});
  }
  SECTION("the earlier change failed its own endorsement") {
    change.endorsers = {&channel.orgs.peer1};
    check_both({testing::BuildEndorserTx(change).Bytes(), testing::BuildEndorserTx(write).Bytes()},
               {::protos::ENDORSEMENT_POLICY_FAILURE, ::protos::VALID});
  }
  SECTION("a later change does not affect an earlier writer") {
    check_both({testing::BuildEndorserTx(write).Bytes(), testing::BuildEndorserTx(change).Bytes()},
               {::protos::VALID, ::protos::VALID});
  }
}

TEST_CASE("A private key's validation parameter is read from its collection's hashed state") {
  // validator_keylevel.go: hashed writes are checked by key hash, through
  // GetPrivateDataMetadataByHash, and in-block changes count as for public keys.
  Channel channel;
  ::kvrwset::HashedRWSet setup = HashedWrite("hk");
  *setup.mutable_metadata_writes() =
      HashedValidationParameterWrite("hk", "OR('Org2MSP.peer')").metadata_writes();
  channel.CommitRwSet(RwSet({{"basic", {}, {{"shared", setup}}}}));

  EndorserTxSpec write =
      channel.Tx("basic", RwSet({{"basic", {}, {{"shared", HashedWrite("hk")}}}}));
  write.endorsers = {&channel.orgs.peer2};
  // Without the parameter, "shared" falls back to the chaincode's AND policy.
  EndorserTxSpec plain =
      channel.Tx("basic", RwSet({{"basic", {}, {{"shared", HashedWrite("other")}}}}));
  plain.endorsers = {&channel.orgs.peer2};
  EndorserTxSpec change = channel.Tx(
      "basic", RwSet({{"basic",
                       {},
                       {{"shared", HashedValidationParameterWrite("hk", "OR('Org1MSP.peer')")}}}}));
  change.endorsers = {&channel.orgs.peer2};

  std::vector<Code> codes = channel.Validate(
      {testing::BuildEndorserTx(write).Bytes(), testing::BuildEndorserTx(plain).Bytes(),
       testing::BuildEndorserTx(change).Bytes(), testing::BuildEndorserTx(write).Bytes()});
  std::vector<std::string> names;
  for (auto code : codes) names.push_back(CodeName(code));
  CHECK(names == std::vector<std::string>{"VALID", "ENDORSEMENT_POLICY_FAILURE", "VALID",
                                          "ENDORSEMENT_POLICY_FAILURE"});
}

TEST_CASE("peer.validatorPoolSize 0 or less means one validator per core") {
  // Fabric's peer.validatorPoolSize default: runtime.NumCPU().
  CHECK(ValidatorPoolSize(3) == 3);
  using Thread = std::thread;  // for its hardware_concurrency, no thread is started
  CHECK(ValidatorPoolSize(0) == std::max(1u, Thread::hardware_concurrency()));
  CHECK(ValidatorPoolSize(-1) == ValidatorPoolSize(0));
}

TEST_CASE("A tx id already in the ledger is DUPLICATE_TXID before any endorsement check") {
  // validator.go checkTxIdDupsLedger runs before Dispatch.
  Channel channel;
  common::concurrency::InlineExecutor executor;
  BlockCommitter committer(channel.ledger(), channel.bundle(), executor);
  EndorserTxSpec spec = channel.Tx("basic", RwSet({{"basic", Writes({{"k", "v"}}), {}}}));
  testing::EndorserTx tx = testing::BuildEndorserTx(spec);
  auto first = RequireOk(committer.CommitBlock(channel.NextBlock({tx.Bytes()})));
  REQUIRE(CodeName(first[0]) == "VALID");

  // The same tx id again, now without a valid endorsement: the ledger check wins.
  spec.nonce = [&] {
    ::common::Payload payload;
    REQUIRE(payload.ParseFromString(tx.envelope.payload()));
    ::common::SignatureHeader header;
    REQUIRE(header.ParseFromString(payload.header().signature_header()));
    return header.nonce();
  }();
  spec.endorsers.clear();
  testing::EndorserTx replay = testing::BuildEndorserTx(spec);
  REQUIRE(replay.tx_id == tx.tx_id);
  CHECK(CodeName(channel.Validate({replay.Bytes()})[0]) == "DUPLICATE_TXID");
  auto second = RequireOk(committer.CommitBlock(channel.NextBlock({tx.Bytes()})));
  CHECK(CodeName(second[0]) == "DUPLICATE_TXID");
}

TEST_CASE("A tx id of an earlier transaction of the block that passed is DUPLICATE_TXID") {
  // markTXIdDuplicates after validation: only transactions that passed the first
  // stage count, whatever MVCC later says about them.
  Channel channel;
  channel.CommitSetup([](ledger::TxSimulator& s) { REQUIRE(s.PutState("basic", "r", "0").ok()); });
  channel.CommitSetup([](ledger::TxSimulator& s) { REQUIRE(s.PutState("basic", "r", "1").ok()); });
  common::concurrency::ThreadPool pool(2);
  BlockCommitter committer(channel.ledger(), channel.bundle(), pool);

  // tx0 reads "r" at a stale version (MVCC conflict); tx1 reuses its nonce (same
  // tx id) with a clean rwset; tx2 reuses it with a broken endorsement; tx3 too.
  ::kvrwset::KVRWSet stale = Writes({{"x", "0"}});
  auto* read = stale.add_reads();
  read->set_key("r");
  read->mutable_version()->set_block_num(1);  // "r" was last written in a later block
  EndorserTxSpec spec0 = channel.Tx("basic", RwSet({{"basic", stale, {}}}));
  spec0.nonce = "shared-nonce";
  EndorserTxSpec spec1 = channel.Tx("basic", RwSet({{"basic", Writes({{"y", "1"}}), {}}}));
  spec1.nonce = "shared-nonce";
  EndorserTxSpec spec2 = channel.Tx("basic", RwSet({{"basic", Writes({{"z", "2"}}), {}}}));
  spec2.nonce = "other-nonce";
  spec2.endorsers = {&channel.orgs.peer1};
  EndorserTxSpec spec3 = channel.Tx("basic", RwSet({{"basic", Writes({{"w", "3"}}), {}}}));
  spec3.nonce = "other-nonce";

  auto codes = RequireOk(committer.CommitBlock(channel.NextBlock(
      {testing::BuildEndorserTx(spec0).Bytes(), testing::BuildEndorserTx(spec1).Bytes(),
       testing::BuildEndorserTx(spec2).Bytes(), testing::BuildEndorserTx(spec3).Bytes()})));
  std::vector<std::string> names;
  for (auto code : codes) names.push_back(CodeName(code));
  CHECK(names == std::vector<std::string>{"MVCC_READ_CONFLICT", "DUPLICATE_TXID",
                                          "ENDORSEMENT_POLICY_FAILURE", "VALID"});
  CHECK(channel.State("basic", "x").empty());
  CHECK(channel.State("basic", "y").empty());
  CHECK(channel.State("basic", "z").empty());
  CHECK(channel.State("basic", "w") == "3");
}

TEST_CASE("The committer applies the transient store's private data and purges it") {
  // Fabric's gossip coordinator.StoreBlock: the private rwsets of the block's
  // transactions come from the transient store, are committed with the block,
  // then purged by tx id; endorsements of other transactions stay.
  Channel channel;
  testing::TempDir transient_dir;
  std::unique_ptr<ledger::TransientStore> store =
      RequireOk(ledger::TransientStore::Open(transient_dir.path() / "transientstore"));
  common::concurrency::InlineExecutor executor;

  std::unique_ptr<ledger::TxSimulator> simulator = channel.ledger().NewTxSimulator();
  REQUIRE(simulator->PutPrivateData("basic", "shared", "secret", "42").ok());
  auto results = RequireOk(simulator->GetTxSimulationResultsWithPrivateData());
  REQUIRE(results.private_rwset.has_value());
  testing::EndorserTx tx =
      testing::BuildEndorserTx(channel.Tx("basic", std::move(results.public_rwset)));
  const uint64_t height = channel.ledger().GetBlockchainInfo().height;
  REQUIRE(store->Persist(tx.tx_id, height, *results.private_rwset).ok());
  REQUIRE(store->Persist("uncommitted-tx", height, *results.private_rwset).ok());

  SECTION("with the transient store") {
    BlockCommitter committer(channel.ledger(), channel.bundle(), executor, store.get());
    auto codes = RequireOk(committer.CommitBlock(channel.NextBlock({tx.Bytes()})));
    REQUIRE(CodeName(codes[0]) == "VALID");
    auto query = channel.ledger().NewQueryExecutor();
    CHECK(RequireOk(query->GetPrivateData("basic", "shared", "secret")) == "42");
    query->Done();
    CHECK(RequireOk(store->GetPrivateData(tx.tx_id)).empty());
    CHECK(RequireOk(store->GetPrivateData("uncommitted-tx")).size() == 1);
  }
  SECTION("without one, only the hashes are committed") {
    BlockCommitter committer(channel.ledger(), channel.bundle(), executor);
    auto codes = RequireOk(committer.CommitBlock(channel.NextBlock({tx.Bytes()})));
    REQUIRE(CodeName(codes[0]) == "VALID");
    auto query = channel.ledger().NewQueryExecutor();
    // Fabric's queryHelper.getPrivateData: "private data matching public hash
    // version is not available".
    CHECK(absl::IsFailedPrecondition(query->GetPrivateData("basic", "shared", "secret").status()));
    CHECK_FALSE(RequireOk(query->GetPrivateDataHash("basic", "shared", "secret")).empty());
    query->Done();
    CHECK(RequireOk(store->GetPrivateData(tx.tx_id)).size() == 1);
  }
}

TEST_CASE("A mixed block commits its valid transactions and nothing of the invalid ones") {
  Channel channel;
  common::concurrency::ThreadPool pool(3);
  BlockCommitter committer(channel.ledger(), channel.bundle(), pool);
  EndorserTxSpec valid_a = channel.Tx("basic", RwSet({{"basic", Writes({{"a", "1"}}), {}}}));
  EndorserTxSpec unendorsed = channel.Tx("basic", RwSet({{"basic", Writes({{"b", "2"}}), {}}}));
  unendorsed.endorsers = {&channel.orgs.peer1};
  EndorserTxSpec bad_creator = channel.Tx("basic", RwSet({{"basic", Writes({{"c", "3"}}), {}}}));
  bad_creator.creator = &channel.orgs.impostor;
  EndorserTxSpec valid_d = channel.Tx("org1cc", RwSet({{"org1cc", Writes({{"d", "4"}}), {}}}));
  // Reads "a", which valid_a (earlier in the block) writes: MVCC conflict.
  EndorserTxSpec conflict =
      channel.Tx("basic", RwSet({{"basic",
                                  [] {
                                    ::kvrwset::KVRWSet kv = Writes({{"e", "5"}});
                                    kv.add_reads()->set_key("a");
                                    return kv;
                                  }(),
                                  {}}}));

  ::common::Block block = channel.NextBlock(
      {testing::BuildEndorserTx(valid_a).Bytes(), testing::BuildEndorserTx(unendorsed).Bytes(),
       testing::BuildEndorserTx(bad_creator).Bytes(), testing::BuildEndorserTx(valid_d).Bytes(),
       testing::BuildEndorserTx(conflict).Bytes()});
  const uint64_t number = block.header().number();
  auto codes = RequireOk(committer.CommitBlock(block));
  std::vector<std::string> names;
  for (auto code : codes) names.push_back(CodeName(code));
  CHECK(names == std::vector<std::string>{"VALID", "ENDORSEMENT_POLICY_FAILURE",
                                          "BAD_CREATOR_SIGNATURE", "VALID", "MVCC_READ_CONFLICT"});
  CHECK(channel.State("basic", "a") == "1");
  CHECK(channel.State("basic", "b").empty());
  CHECK(channel.State("basic", "c").empty());
  CHECK(channel.State("org1cc", "d") == "4");
  CHECK(channel.State("basic", "e").empty());

  // The stored block carries the same codes as its TRANSACTIONS_FILTER.
  ::common::Block stored = RequireOk(channel.ledger().GetBlockByNumber(number));
  const std::string& filter = stored.metadata().metadata(::common::TRANSACTIONS_FILTER);
  REQUIRE(filter.size() == codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i) {
    CHECK(static_cast<unsigned char>(filter[i]) == static_cast<unsigned char>(codes[i]));
  }
}

TEST_CASE("Parallel validation gives the codes of a pool of one") {
  Channel channel;
  channel.PutWithValidationParameter("basic", "sbe", "OR('Org2MSP.peer')");
  std::vector<Case> cases = CodeTable();
  std::vector<std::string> envelopes;
  // The code table twice over, with key-level dependencies in between.
  for (int round = 0; round < 2; ++round) {
    for (const auto& c : cases) envelopes.push_back(c.envelope(channel));
    EndorserTxSpec change = channel.Tx(
        "basic", RwSet({{"basic", ValidationParameterWrite("sbe", "OR('Org1MSP.peer')"), {}}}));
    change.endorsers = {&channel.orgs.peer2};
    EndorserTxSpec write = channel.Tx("basic", RwSet({{"basic", Writes({{"sbe", "x"}}), {}}}));
    write.endorsers = {&channel.orgs.peer2};
    envelopes.push_back(testing::BuildEndorserTx(change).Bytes());
    envelopes.push_back(testing::BuildEndorserTx(write).Bytes());
  }
  common::concurrency::ThreadPool pool1(1);
  common::concurrency::ThreadPool pool4(4);
  std::vector<Code> one = channel.Validate(envelopes, pool1);
  std::vector<Code> four = channel.Validate(envelopes, pool4);
  REQUIRE(one.size() == envelopes.size());
  CHECK(four == one);
  // The dependent writes failed in both rounds.
  CHECK(CodeName(one[cases.size() + 1]) == "ENDORSEMENT_POLICY_FAILURE");
  CHECK(CodeName(one.back()) == "ENDORSEMENT_POLICY_FAILURE");
}

TEST_CASE("A definition naming a validation plugin the peer lacks fails the block") {
  // plugin_validator.go: a missing plugin is an ExecutionFailureError, which
  // validateTx returns as the block's error instead of a code.
  Channel channel;
  EndorserTxSpec spec =
      channel.Tx("customplugin", RwSet({{"customplugin", Writes({{"k", "v"}}), {}}}));
  common::concurrency::InlineExecutor executor;
  auto result = channel.TryValidate({testing::BuildEndorserTx(spec).Bytes()}, executor);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(std::string(result.status().message()), Catch::Contains("custom"));
}

TEST_CASE("A block is not validated when the executor refuses the work") {
  Channel channel;
  common::concurrency::ThreadPool pool(1);
  pool.Shutdown();
  EndorserTxSpec spec = channel.Tx("basic", RwSet({{"basic", Writes({{"k", "v"}}), {}}}));
  auto result = channel.TryValidate({testing::BuildEndorserTx(spec).Bytes()}, pool);
  CHECK_FALSE(result.ok());
}

TEST_CASE("A stored validation parameter that does not parse fails the block") {
  // vpmanagerimpl.go: the PolicyTranslator error is not a ValidationParameterUpdatedError,
  // so checkSBAndCCEP returns a VSCCExecutionFailureError.
  Channel channel;
  channel.CommitSetup([](ledger::TxSimulator& s) {
    REQUIRE(s.PutState("basic", "broken", "v").ok());
    REQUIRE(s.SetStateMetadata("basic", "broken", {{"VALIDATION_PARAMETER", "\xff\xff\xff"}}).ok());
  });
  EndorserTxSpec spec = channel.Tx("basic", RwSet({{"basic", Writes({{"broken", "v2"}}), {}}}));
  common::concurrency::InlineExecutor executor;
  CHECK_FALSE(channel.TryValidate({testing::BuildEndorserTx(spec).Bytes()}, executor).ok());
}

TEST_CASE("A config block replaces the channel bundle once it is committed") {
  // validator.go: CONFIG transactions are applied to the channel resources
  // (configtx Validate: sequence + 1, the last update must produce the config).
  Channel channel;
  common::concurrency::InlineExecutor executor;
  BlockCommitter committer(channel.ledger(), channel.bundle(), executor);

  common::channelconfig::ChannelSpec spec = channel.orgs.Spec(true);
  spec.orderer->batch_size.max_message_count = 42;
  ::common::Config target = RequireOk(common::channelconfig::BuildConfig(spec));
  ::common::ConfigUpdate update =
      RequireOk(common::configtx::ComputeUpdate(kChannel, channel.bundle()->config(), target));
  // Orderer group changes need the orderer org's admins (MAJORITY Admins).
  msp::SigningIdentity orderer_admin = testing::MakeSigner(
      testing::IssueLeaf(channel.orgs.orderer_ca, "Admin@example.com", {"admin"}), "OrdererMSP");
  const std::vector<const common::protoutil::Signer*> signers{&orderer_admin};
  ::common::Envelope update_envelope =
      RequireOk(common::configtx::CreateSignedConfigUpdateEnvelope(update, signers, orderer_admin));
  ::common::Envelope config_tx = RequireOk(common::configtx::ValidateConfigUpdate(
      *channel.bundle(), update_envelope, channel.orgs.orderer));
  const std::string config_bytes = config_tx.SerializeAsString();

  SECTION("a valid config update") {
    auto codes = RequireOk(committer.CommitBlock(channel.NextBlock({config_bytes})));
    CHECK(CodeName(codes[0]) == "VALID");
    CHECK(committer.bundle()->sequence() == channel.bundle()->sequence() + 1);
    CHECK(committer.bundle()->orderer()->batch_size.max_message_count == 42);
  }
  SECTION("a config that its last update does not produce") {
    ::common::Payload payload;
    REQUIRE(payload.ParseFromString(config_tx.payload()));
    ::common::ConfigEnvelope config_envelope;
    REQUIRE(config_envelope.ParseFromString(payload.data()));
    config_envelope.mutable_config()->mutable_channel_group()->set_mod_policy("Tampered");
    payload.set_data(config_envelope.SerializeAsString());
    ::common::Envelope tampered;
    tampered.set_payload(payload.SerializeAsString());
    tampered.set_signature(RequireOk(channel.orgs.orderer.Sign(tampered.payload())));
    const uint64_t height = channel.ledger().GetBlockchainInfo().height;
    CHECK_FALSE(committer.CommitBlock(channel.NextBlock({tampered.SerializeAsString()})).ok());
    CHECK(committer.bundle()->sequence() == channel.bundle()->sequence());
    CHECK(channel.ledger().GetBlockchainInfo().height == height);
  }
}

TEST_CASE("BlockCommitter's report gives a reason for each invalid transaction") {
  Channel channel;
  common::concurrency::InlineExecutor executor;
  BlockCommitter committer(channel.ledger(), channel.bundle(), executor);
  EndorserTxSpec valid = channel.Tx("basic", RwSet({{"basic", Writes({{"a", "1"}}), {}}}));
  EndorserTxSpec unendorsed = channel.Tx("basic", RwSet({{"basic", Writes({{"b", "2"}}), {}}}));
  unendorsed.endorsers = {&channel.orgs.peer1};
  CommitReport report;
  auto codes = RequireOk(
      committer.CommitBlock(channel.NextBlock({testing::BuildEndorserTx(valid).Bytes(),
                                               testing::BuildEndorserTx(unendorsed).Bytes()}),
                            &report));
  REQUIRE(codes.size() == 2);
  CHECK(CodeName(codes[1]) == "ENDORSEMENT_POLICY_FAILURE");
  REQUIRE(report.reasons.size() == 2);
  CHECK(report.reasons[0].empty());
  CHECK_FALSE(report.reasons[1].empty());
}

}  // namespace weft::peer::validator
