// The chaincode deployment helpers of the chaincode integration tests
// (tests/integration/peer_chaincode, peer_chaincode_node): a two-org network
// with both peers joined, clients of both peers and the orderer, and the lifecycle
// steps (install, approve, checkcommitreadiness, commit, querycommitted) driven as
// Fabric release-2.5's `peer lifecycle chaincode` commands drive them.
// Test thread only: the helpers assert with Catch2.
#pragma once
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "client-sdk/endorser_client.h"
#include "client-sdk/orderer_client.h"
#include "client-sdk/peer_deliver_client.h"
#include "client-sdk/proposal_builder.h"
#include "client-sdk/signer.h"
#include "client-sdk/transaction_builder.h"
#include "common/common.pb.h"
#include "common/crypto/hash.h"
#include "common/policies/policy_dsl.h"
#include "common/protoutil/proposal.h"
#include "msp/signing_identity.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/lifecycle/lifecycle.pb.h"
#include "peer/policy.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/fabric_package.h"
#include "tests/support/peer_network.h"
#include "tests/support/wait_until.h"

namespace weft::peer_chaincode_test {

namespace fs = std::filesystem;
namespace client = weft::client;
namespace crypto = weft::common::crypto;
namespace protoutil = weft::common::protoutil;
namespace testing = weft::testing;
using weft::msp::SigningIdentity;

inline constexpr char kChaincode[] = "basic";
inline constexpr char kLabel[] = "basic_1.0";
// Generous: the machine running the tests may be loaded, and the first invocation
// builds and launches the chaincode on each peer.
inline constexpr auto kCommitTimeout = std::chrono::seconds(180);
inline constexpr auto kEndorseTimeout = std::chrono::seconds(180);

inline SigningIdentity Load(const fs::path& msp_dir, const std::string& msp_id) {
  auto signer = client::LoadSigner(msp_dir, msp_id);
  INFO(signer.status().ToString());
  REQUIRE(signer.ok());
  return *std::move(signer);
}

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

inline std::string LogTail(const fs::path& log) {
  const std::string all = ReadFile(log);
  constexpr size_t kTail = 4000;
  return all.size() <= kTail ? all : all.substr(all.size() - kTail);
}

// chaincode-sdk/README.md's `binary` layout: the executable under src/, named by
// metadata.json's path; the tar entry as Fabric's writer.go writes files (uid/gid
// 500, mode 0100644: the builder adds +x).
inline std::string SamplePackage(const std::string& program_name, const std::string& label) {
  const fs::path executable = fs::path(WEFT_BINARY_DIR) / "bin" / program_name;
  REQUIRE(fs::exists(executable));
  testing::TarItem program("src/" + program_name, ReadFile(executable));
  program.uid = program.gid = 500;
  return testing::FabricPackage(program_name, "binary", label,
                                testing::GoGzip(testing::GoTar({program})));
}

inline std::string AssetTransferPackage() { return SamplePackage("asset-transfer-basic", kLabel); }

// The definition's fields as approve, checkcommitreadiness and commit all send them.
struct Definition {
  std::string name = kChaincode;
  int64_t sequence = 1;
  std::string version = "1.0";
  std::string validation_parameter;  // empty: _lifecycle's default policy reference

  template <typename Args>
  void FillIn(Args& args) const {
    args.set_name(name);
    args.set_sequence(sequence);
    args.set_version(version);
    // Left empty as the CLI does: scc.go fills in escc/vscc and, without a policy,
    // /Channel/Application/Endorsement.
    args.set_validation_parameter(validation_parameter);
  }
};

// A definition whose endorsement policy is the signature policy `dsl`, as the CLI's
// --signature-policy writes it (an ApplicationPolicy in the validation parameter).
inline Definition SignaturePolicyDefinition(int64_t sequence, std::string version,
                                            const std::string& dsl) {
  auto envelope = weft::common::policies::ParsePolicy(dsl);
  INFO(dsl);
  REQUIRE(envelope.ok());
  ::protos::ApplicationPolicy policy;
  *policy.mutable_signature_policy() = *envelope;
  Definition definition;
  definition.sequence = sequence;
  definition.version = std::move(version);
  definition.validation_parameter = policy.SerializeAsString();
  return definition;
}

// Both orgs' peers joined to the channel, with each org's admin and user, clients of
// both peers and of the orderer. Test thread only (asserts with Catch2).
class ChaincodeNetwork {
 public:
  // `options`: channel and peer settings; the folders are filled in here.
  explicit ChaincodeNetwork(testing::PeerNetworkOptions options = {}) {
    options.bin_dir = fs::path(WEFT_BINARY_DIR) / "bin";
    options.source_dir = WEFT_SOURCE_DIR;
    network_ = std::make_unique<testing::PeerNetwork>(options);
    nlohmann::json layout;
    layout["channel"] = network_->channel();
    layout["orderers"] = network_->orderer_addresses();
    layout["orderer_tls_ca"] = network_->OrdererClientSettings().tls.root_cas.front().string();
    for (int org = 1; org <= 2; ++org) {
      const testing::PeerEndpoints endpoints = network_->StartPeer(org);
      layout["peers"].push_back(
          {{"address", endpoints.grpc},
           {"tls_ca", network_->PeerClientSettings(org).tls.root_cas.front().string()},
           {"log", network_->PeerLog(org).string()},
           {"admin_msp", network_->UserMsp(org, "Admin").string()},
           {"user_msp", network_->UserMsp(org, "User1").string()}});
    }
    Attach(layout);
    for (int org = 1; org <= 2; ++org) {
      // cscc JoinChain: a channel-less CONFIG proposal by the org's admin.
      ::protos::Response joined =
          Channelless(org, "cscc", {"JoinChain", network_->genesis_block()}, ::common::CONFIG);
      INFO(joined.message());
      REQUIRE(joined.status() == 200);
    }
  }

  // Clients of a network another process runs (the CTest fixture of
  // chaincode_network_main.cpp), from the state file it wrote with WriteState.
  explicit ChaincodeNetwork(const fs::path& state_file) {
    INFO("the shared network's state " << state_file << " (run the fixture's setup test first)");
    REQUIRE(fs::exists(state_file));
    nlohmann::json state = nlohmann::json::parse(ReadFile(state_file), nullptr, false);
    REQUIRE_FALSE(state.is_discarded());
    Attach(state.at("layout"));
    packages_ = state.at("packages").get<std::map<std::string, std::string>>();
  }

  ~ChaincodeNetwork() {
    if (network_ == nullptr) return;
    for (int org = 1; org <= 2; ++org) network_->StopPeer(org);
  }

  // Writes what the attaching constructor reads, with `packages` (label -> package
  // ID); written to a temporary file first so a reader never sees half of it.
  void WriteState(const fs::path& state_file,
                  const std::map<std::string, std::string>& packages) const {
    const nlohmann::json state = {{"layout", layout_}, {"packages", packages}};
    const fs::path partial = state_file.string() + ".partial";
    std::ofstream(partial, std::ios::binary) << state.dump(2);
    fs::rename(partial, state_file);
  }
  // The package IDs of a network attached from a state file, by label.
  const std::map<std::string, std::string>& packages() const { return packages_; }

  // The network's processes; only for a network this object started.
  testing::PeerNetwork& network() {
    REQUIRE(network_ != nullptr);
    return *network_;
  }
  const std::string& channel() const { return channel_; }
  const fs::path& peer_log(int org) const { return peer_logs_[org - 1]; }
  // TLS client settings that trust org `org`'s peer.
  const common::settings::GrpcClientSettings& peer_settings(int org) const {
    return peer_settings_[org - 1];
  }
  const SigningIdentity& admin(int org) const { return *admins_[org - 1]; }
  const SigningIdentity& user(int org) const { return *users_[org - 1]; }
  const client::EndorserClient& endorser(int org) const { return *endorsers_[org - 1]; }
  const std::string& address(int org) const { return addresses_[org - 1]; }

  // A channel-less proposal by org `org`'s admin to its peer, as the CLI sends it.
  ::protos::Response Channelless(int org, const std::string& chaincode,
                                 std::vector<std::string> args,
                                 ::common::HeaderType type = ::common::ENDORSER_TRANSACTION) {
    protoutil::ChaincodeProposalSpec spec;
    spec.chaincode_name = chaincode;
    spec.args = std::move(args);
    spec.chaincode_type = ::protos::ChaincodeSpec::UNDEFINED;
    spec.header_type = type;
    auto created = protoutil::CreateChaincodeProposal(spec, admin(org).SerializedIdentity());
    REQUIRE(created.ok());
    auto signed_proposal = protoutil::SignProposal(created->proposal, admin(org));
    REQUIRE(signed_proposal.ok());
    auto answer = endorser(org).ProcessProposal(*signed_proposal);
    INFO(answer.status().ToString());
    REQUIRE(answer.ok());
    return answer->response();
  }

  // _lifecycle InstallChaincode on org `org`'s peer; returns the package ID.
  std::string Install(int org, const std::string& package) {
    ::lifecycle::InstallChaincodeArgs install;
    install.set_chaincode_install_package(package);
    ::protos::Response installed =
        Channelless(org, "_lifecycle", {"InstallChaincode", install.SerializeAsString()});
    INFO("peer0.org" << org << ": " << installed.message());
    REQUIRE(installed.status() == 200);
    ::lifecycle::InstallChaincodeResult result;
    REQUIRE(result.ParseFromString(installed.payload()));
    return result.package_id();
  }

  // A signed channel proposal by `creator` invoking `chaincode` with `function(args)`.
  client::SignedProposal Proposal(const SigningIdentity& creator, const std::string& chaincode,
                                  const std::string& function, std::vector<std::string> args) {
    client::ProposalRequest request;
    request.channel_id = channel_;
    request.chaincode_name = chaincode;
    request.function = function;
    request.args = std::move(args);
    if (chaincode == "_lifecycle") request.chaincode_type = ::protos::ChaincodeSpec::UNDEFINED;
    auto proposal = client::CreateSignedProposal(request, creator);
    INFO(proposal.status().ToString());
    REQUIRE(proposal.ok());
    return *std::move(proposal);
  }

  // The proposal's answer from org `org`'s peer, whatever its status.
  ::protos::ProposalResponse Ask(int org, const client::SignedProposal& proposal) {
    auto answer = endorser(org).ProcessProposal(proposal.signed_proposal, kEndorseTimeout);
    INFO("peer0.org" << org << ": " << answer.status().ToString() << "; the end of its log:\n"
                     << LogTail(peer_log(org)));
    REQUIRE(answer.ok());
    return *std::move(answer);
  }

  // Endorsements of the proposal by the peers of `orgs`, each with status 200.
  std::vector<::protos::ProposalResponse> Endorse(const client::SignedProposal& proposal,
                                                  const std::vector<int>& orgs) {
    std::vector<::protos::ProposalResponse> responses;
    for (int org : orgs) {
      ::protos::ProposalResponse response = Ask(org, proposal);
      INFO("peer0.org" << org << ": " << response.response().message() << "; the end of its log:\n"
                       << LogTail(peer_log(org)));
      REQUIRE(response.response().status() == 200);
      responses.push_back(std::move(response));
    }
    return responses;
  }

  // The transaction of `proposal` with `responses`, signed by `creator`, handed to
  // the orderer without waiting for the peers to commit it.
  void Broadcast(const client::SignedProposal& proposal,
                 const std::vector<::protos::ProposalResponse>& responses,
                 const SigningIdentity& creator) {
    auto envelope = client::CreateSignedTransaction(proposal.proposal, responses, creator);
    INFO(envelope.status().ToString());
    REQUIRE(envelope.ok());
    const weft::Status submitted = broadcast_->Submit(*envelope);
    INFO(submitted.ToString());
    REQUIRE(submitted.ok());
  }

  // The transaction of `proposal` with `responses`, signed by `creator`, broadcast;
  // returns its validation code once both peers committed it, checking they agree.
  ::protos::TxValidationCode Submit(const client::SignedProposal& proposal,
                                    const std::vector<::protos::ProposalResponse>& responses,
                                    const SigningIdentity& creator) {
    Broadcast(proposal, responses, creator);
    ::protos::TxValidationCode codes[2] = {::protos::NOT_VALIDATED, ::protos::NOT_VALIDATED};
    for (int org = 1; org <= 2; ++org) codes[org - 1] = WaitForCommit(org, proposal.tx_id);
    CHECK(::protos::TxValidationCode_Name(codes[0]) == ::protos::TxValidationCode_Name(codes[1]));
    return codes[0];
  }

  // Endorsed by the peers of `orgs`, then submitted by `creator`.
  ::protos::TxValidationCode Invoke(const SigningIdentity& creator, const std::string& chaincode,
                                    const std::string& function, std::vector<std::string> args,
                                    const std::vector<int>& orgs, std::string* payload = nullptr) {
    INFO(chaincode << " " << function);
    const client::SignedProposal proposal = Proposal(creator, chaincode, function, std::move(args));
    const auto responses = Endorse(proposal, orgs);
    if (payload != nullptr) *payload = responses.front().response().payload();
    return Submit(proposal, responses, creator);
  }

  // qscc GetTransactionByID on org `org`'s peer, polled until the peer has the
  // transaction; returns its validation code.
  ::protos::TxValidationCode WaitForCommit(int org, const std::string& tx_id) {
    ::protos::Response answer;
    const bool committed = testing::WaitUntil(
        [&] {
          answer = Ask(org, Proposal(user(org), "qscc", "GetTransactionByID", {channel_, tx_id}))
                       .response();
          return answer.status() == 200;
        },
        kCommitTimeout);
    INFO("peer0.org" << org << " did not commit tx " << tx_id << ": " << answer.message()
                     << "; the end of its log:\n"
                     << LogTail(peer_log(org)));
    REQUIRE(committed);
    ::protos::ProcessedTransaction processed;
    REQUIRE(processed.ParseFromString(answer.payload()));
    return static_cast<::protos::TxValidationCode>(processed.validationcode());
  }

  // An evaluation on org `org`'s peer (not submitted).
  ::protos::Response Evaluate(int org, const std::string& chaincode, const std::string& function,
                              std::vector<std::string> args) {
    return Ask(org, Proposal(user(org), chaincode, function, std::move(args))).response();
  }

  // approveformyorg by org `org`'s admin, endorsed by its own peer, committed VALID.
  void Approve(int org, const Definition& definition, const std::string& package_id) {
    INFO("Org" << org << " approves sequence " << definition.sequence);
    ::lifecycle::ApproveChaincodeDefinitionForMyOrgArgs approve;
    definition.FillIn(approve);
    approve.mutable_source()->mutable_local_package()->set_package_id(package_id);
    CHECK(::protos::TxValidationCode_Name(Invoke(admin(org), "_lifecycle",
                                                 "ApproveChaincodeDefinitionForMyOrg",
                                                 {approve.SerializeAsString()}, {org})) == "VALID");
  }

  // checkcommitreadiness on org `org`'s peer: each org's approval.
  std::map<std::string, bool> Readiness(int org, const Definition& definition) {
    ::lifecycle::CheckCommitReadinessArgs args;
    definition.FillIn(args);
    ::protos::Response answer =
        Evaluate(org, "_lifecycle", "CheckCommitReadiness", {args.SerializeAsString()});
    INFO(answer.message());
    REQUIRE(answer.status() == 200);
    ::lifecycle::CheckCommitReadinessResult result;
    REQUIRE(result.ParseFromString(answer.payload()));
    return {result.approvals().begin(), result.approvals().end()};
  }

  // commit by Org1's admin, endorsed by both peers; returns the code.
  ::protos::TxValidationCode Commit(const Definition& definition, const std::vector<int>& orgs) {
    ::lifecycle::CommitChaincodeDefinitionArgs commit;
    definition.FillIn(commit);
    return Invoke(admin(1), "_lifecycle", "CommitChaincodeDefinition", {commit.SerializeAsString()},
                  orgs);
  }

  // The whole lifecycle of `definition` with both orgs: approvals, readiness seen on
  // both peers, the commit endorsed by both, and both peers reporting it committed.
  void ApproveAndCommitOnBoth(const Definition& definition, const std::string& package_id) {
    Approve(1, definition, package_id);
    Approve(2, definition, package_id);
    for (int org = 1; org <= 2; ++org) {
      CHECK(Readiness(org, definition) ==
            std::map<std::string, bool>{{"Org1MSP", true}, {"Org2MSP", true}});
    }
    REQUIRE(::protos::TxValidationCode_Name(Commit(definition, {1, 2})) == "VALID");
    for (int org = 1; org <= 2; ++org) {
      const auto committed = Committed(org, definition.name);
      CHECK(committed.sequence() == definition.sequence);
      CHECK(committed.version() == definition.version);
      CHECK(committed.validation_parameter() == definition.validation_parameter);
    }
  }

  ::lifecycle::QueryChaincodeDefinitionResult Committed(int org,
                                                        const std::string& name = kChaincode) {
    ::lifecycle::QueryChaincodeDefinitionArgs args;
    args.set_name(name);
    ::protos::Response answer =
        Evaluate(org, "_lifecycle", "QueryChaincodeDefinition", {args.SerializeAsString()});
    INFO(answer.message());
    REQUIRE(answer.status() == 200);
    ::lifecycle::QueryChaincodeDefinitionResult result;
    REQUIRE(result.ParseFromString(answer.payload()));
    return result;
  }

  // ReadAsset on both peers: the answers must be byte-identical; returns one.
  std::string ReadOnBoth(const std::string& id, const std::string& chaincode = kChaincode) {
    INFO("ReadAsset " << id);
    const ::protos::Response first = Evaluate(1, chaincode, "ReadAsset", {id});
    const ::protos::Response second = Evaluate(2, chaincode, "ReadAsset", {id});
    INFO(first.message() << " / " << second.message());
    REQUIRE(first.status() == 200);
    REQUIRE(second.status() == 200);
    CHECK(first.payload() == second.payload());
    return first.payload();
  }

 private:
  // Loads the identities and connects the clients `layout` names.
  void Attach(const nlohmann::json& layout) {
    layout_ = layout;
    channel_ = layout.at("channel").get<std::string>();
    common::settings::GrpcClientSettings orderer_settings;
    orderer_settings.tls.enabled = true;
    orderer_settings.tls.root_cas = {layout.at("orderer_tls_ca").get<std::string>()};
    auto broadcast = client::BroadcastClient::Connect(
        layout.at("orderers").get<std::vector<std::string>>(), orderer_settings);
    REQUIRE(broadcast.ok());
    broadcast_ = *std::move(broadcast);
    REQUIRE(layout.at("peers").size() == 2);
    for (int org = 1; org <= 2; ++org) {
      const nlohmann::json& peer = layout.at("peers").at(org - 1);
      const std::string msp_id = testing::PeerNetwork::MspId(org);
      admins_[org - 1] =
          std::make_unique<SigningIdentity>(Load(peer.at("admin_msp").get<std::string>(), msp_id));
      users_[org - 1] =
          std::make_unique<SigningIdentity>(Load(peer.at("user_msp").get<std::string>(), msp_id));
      addresses_[org - 1] = peer.at("address").get<std::string>();
      peer_logs_[org - 1] = peer.at("log").get<std::string>();
      // The peers' TLS certificates name localhost, not 127.0.0.1.
      common::settings::GrpcClientSettings settings;
      settings.tls.enabled = true;
      settings.tls.root_cas = {peer.at("tls_ca").get<std::string>()};
      settings.server_name_override = "localhost";
      peer_settings_[org - 1] = settings;
      auto endorser = client::EndorserClient::Connect(addresses_[org - 1], settings);
      REQUIRE(endorser.ok());
      endorsers_[org - 1] = *std::move(endorser);
    }
  }

  std::unique_ptr<testing::PeerNetwork> network_;  // null when attached
  nlohmann::json layout_;
  std::string channel_;
  fs::path peer_logs_[2];
  common::settings::GrpcClientSettings peer_settings_[2];
  std::map<std::string, std::string> packages_;
  std::unique_ptr<SigningIdentity> admins_[2];
  std::unique_ptr<SigningIdentity> users_[2];
  std::unique_ptr<client::EndorserClient> endorsers_[2];
  std::string addresses_[2];
  std::unique_ptr<client::BroadcastClient> broadcast_;
};

inline std::string CodeName(::protos::TxValidationCode code) {
  return ::protos::TxValidationCode_Name(code);
}

// Install on both peers, approve by both orgs, check readiness, commit sequence 1
// endorsed by both (the default LifecycleEndorsement is MAJORITY Endorsement, i.e.
// both of two orgs). Returns the package ID.
inline std::string DefineOnBoth(ChaincodeNetwork& net, const std::string& package,
                                const std::string& label = kLabel,
                                const std::string& name = kChaincode) {
  const std::string package_id = net.Install(1, package);
  // Fabric's persistence.PackageID: label + ":" + hex SHA-256 of the package bytes.
  CHECK(package_id == label + ":" + crypto::HexEncode(crypto::Sha256(package)));
  CHECK(net.Install(2, package) == package_id);

  Definition definition;
  definition.name = name;
  net.Approve(1, definition, package_id);
  // One approval of two: not ready (lifecycle.go CheckCommitReadiness reports each org).
  CHECK(net.Readiness(2, definition) ==
        std::map<std::string, bool>{{"Org1MSP", true}, {"Org2MSP", false}});
  net.Approve(2, definition, package_id);
  for (int org = 1; org <= 2; ++org) {
    CHECK(net.Readiness(org, definition) ==
          std::map<std::string, bool>{{"Org1MSP", true}, {"Org2MSP", true}});
  }
  // The channel's LifecycleEndorsement (MAJORITY Endorsement) needs both orgs' peers:
  // a commit endorsed by one fails validation and defines nothing.
  CHECK(CodeName(net.Commit(definition, {1})) == "ENDORSEMENT_POLICY_FAILURE");
  CHECK(CodeName(net.Commit(definition, {1, 2})) == "VALID");
  for (int org = 1; org <= 2; ++org) {
    INFO("peer0.org" << org);
    const auto committed = net.Committed(org, name);
    CHECK(committed.sequence() == 1);
    CHECK(committed.version() == "1.0");
    CHECK(committed.endorsement_plugin() == "escc");
    CHECK(committed.validation_plugin() == "vscc");
    ::protos::ApplicationPolicy policy;
    REQUIRE(policy.ParseFromString(committed.validation_parameter()));
    CHECK(policy.channel_config_policy_reference() == "/Channel/Application/Endorsement");
    CHECK(committed.approvals().at("Org1MSP"));
    CHECK(committed.approvals().at("Org2MSP"));
  }
  return package_id;
}

using NamespaceState = std::map<std::string, std::string>;

// After both peers stopped: each ledger's height, commit hash and the state of
// `namespaces`, read through peer/ledger, must be equal; returns org 1's state.
inline std::map<std::string, NamespaceState> CompareStoppedLedgers(
    ChaincodeNetwork& net, const std::vector<std::string>& namespaces) {
  std::map<std::string, NamespaceState> states[2];
  std::string commit_hashes[2];
  uint64_t heights[2] = {0, 0};
  for (int org = 1; org <= 2; ++org) {
    INFO("peer0.org" << org);
    CHECK(net.network().StopPeer(org) == 0);
    weft::peer::ledger::LedgerManager manager(net.network().PeerLedgersDir(org));
    auto ledger = manager.OpenLedger(net.network().channel());
    INFO(ledger.status().ToString());
    REQUIRE(ledger.ok());
    heights[org - 1] = (*ledger)->GetBlockchainInfo().height;
    commit_hashes[org - 1] = (*ledger)->commit_hash();
    auto executor = (*ledger)->NewQueryExecutor();
    for (const std::string& ns : namespaces) {
      auto iterator = executor->GetStateRangeScanIterator(ns, "", "");
      REQUIRE(iterator.ok());
      auto& kvs = states[org - 1][ns];
      while (true) {
        auto next = (*iterator)->Next();
        REQUIRE(next.ok());
        if (!next->has_value()) break;
        kvs[(*next)->key()] = (*next)->value();
      }
    }
    executor->Done();
  }
  CHECK(heights[0] == heights[1]);
  CHECK_FALSE(commit_hashes[0].empty());
  CHECK(commit_hashes[0] == commit_hashes[1]);
  CHECK(states[0] == states[1]);
  return states[0];
}

}  // namespace weft::peer_chaincode_test
