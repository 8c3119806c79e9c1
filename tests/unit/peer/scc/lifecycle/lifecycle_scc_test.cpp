// _lifecycle against two peers (Org1MSP, Org2MSP) with real LevelDB ledgers and
// transient stores: each peer endorses its org's proposals by simulating them,
// and every block is committed on both, so each peer holds its own org's
// approvals in private state and the other org's only as hashes.
// Expected messages and encodings come from Fabric release-2.5
// core/chaincode/lifecycle (scc.go, lifecycle.go, serializer.go).
#include "peer/scc/lifecycle/lifecycle_scc.h"

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/channelconfig/config_builder.h"
#include "common/crypto/hash.h"
#include "common/protoutil/proposal.h"
#include "msp/msp_principal.pb.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/transient_store.h"
#include "peer/lifecycle/lifecycle.pb.h"
#include "peer/policy.pb.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_network.h"
#include "tests/support/test_orgs.h"

namespace {

namespace protoutil = weft::common::protoutil;
namespace channelconfig = weft::common::channelconfig;
using weft::common::crypto::HexEncode;
using weft::common::crypto::Sha256;
using weft::peer::scc::lifecycle::InstalledChaincode;
using weft::peer::scc::lifecycle::LifecycleScc;

const std::string kChannel = "mychannel";

template <typename T>
T Must(weft::StatusOr<T> value) {
  if (!value.ok()) throw std::runtime_error(std::string(value.status().message()));
  return *std::move(value);
}

// A package store holding "packages" whose bytes are "pkg:<label>" (the real
// package format is the package store's business, not _lifecycle's).
class FakeInstalledChaincodes final : public weft::peer::scc::lifecycle::InstalledChaincodes {
 public:
  [[nodiscard]] weft::StatusOr<InstalledChaincode> Install(std::string_view bytes) override {
    if (!bytes.starts_with("pkg:") || bytes.size() == 4) {
      return absl::InvalidArgumentError(
          "could not parse as a chaincode install package: not a fake package");
    }
    InstalledChaincode installed;
    installed.label = std::string(bytes.substr(4));
    installed.package_id = installed.label + ":" + HexEncode(Sha256(bytes));
    if (packages.contains(installed.package_id)) {
      return absl::AlreadyExistsError("chaincode already successfully installed (package ID '" +
                                      installed.package_id + "')");
    }
    packages[installed.package_id] = {installed, std::string(bytes)};
    return installed;
  }
  std::optional<InstalledChaincode> Find(std::string_view package_id) const override {
    auto found = packages.find(std::string(package_id));
    if (found == packages.end()) return std::nullopt;
    return found->second.first;
  }
  std::vector<InstalledChaincode> List() const override {
    std::vector<InstalledChaincode> all;
    for (const auto& [id, entry] : packages) all.push_back(entry.first);
    return all;
  }
  [[nodiscard]] weft::StatusOr<std::string> Load(std::string_view package_id) const override {
    auto found = packages.find(std::string(package_id));
    if (found == packages.end()) {
      return absl::NotFoundError("chaincode install package '" + std::string(package_id) +
                                 "' not found");
    }
    return found->second.second;
  }

  std::map<std::string, std::pair<InstalledChaincode, std::string>> packages;
};

// What one endorsement produced.
struct Endorsed {
  ::protos::Response response;
  std::string tx_id;
  ::rwset::TxReadWriteSet rwset;
  std::optional<::rwset::TxPvtReadWriteSet> private_rwset;
};

struct Peer {
  Peer(const std::string& msp_id, const weft::testing::TestIdentity& ca,
       std::shared_ptr<const channelconfig::ChannelConfig> bundle, const ::common::Block& genesis)
      : local_msp(Must(weft::msp::Msp::Create(weft::testing::NodeOuMsp(msp_id, ca)))),
        acl([bundle](std::string_view channel) { return channel == kChannel ? bundle : nullptr; }),
        scc(
            *local_msp, acl,
            [bundle](std::string_view channel) { return channel == kChannel ? bundle : nullptr; },
            installed),
        ledger(Must(
            weft::peer::ledger::LedgerManager(dir.path() / "ledgersData").CreateLedger(genesis))),
        transient(Must(weft::peer::ledger::TransientStore::Open(dir.path() / "transient"))) {}

  weft::testing::TempDir dir;
  std::shared_ptr<const weft::msp::Msp> local_msp;
  weft::peer::aclmgmt::ChannelAclProvider acl;
  FakeInstalledChaincodes installed;
  LifecycleScc scc;
  std::unique_ptr<weft::peer::ledger::PeerLedger> ledger;
  std::unique_ptr<weft::peer::ledger::TransientStore> transient;

  // Endorses as Fabric's endorser would: simulate, keep the private rwset in
  // the transient store. `channel` "" makes a channel-less call.
  Endorsed Invoke(const weft::msp::SigningIdentity& signer, const std::string& function,
                  const std::string& input, const std::string& channel = kChannel) {
    protoutil::ChaincodeProposalSpec spec;
    spec.channel_id = channel;
    spec.chaincode_name = "_lifecycle";
    spec.args = {function, input};
    auto created = Must(protoutil::CreateChaincodeProposal(spec, signer.SerializedIdentity()));
    auto signed_proposal = Must(protoutil::SignProposal(created.proposal, signer));
    Endorsed endorsed;
    endorsed.tx_id = created.tx_id;
    if (channel.empty()) {
      endorsed.response = scc.Invoke(spec.args, signed_proposal, nullptr);
      return endorsed;
    }
    auto simulator = ledger->NewTxSimulator();
    endorsed.response = scc.Invoke(spec.args, signed_proposal, simulator.get());
    auto results = Must(simulator->GetTxSimulationResultsWithPrivateData());
    endorsed.rwset = results.public_rwset;
    endorsed.private_rwset = results.private_rwset;
    if (endorsed.response.status() == 200 && results.private_rwset) {
      auto persisted = transient->Persist(created.tx_id, ledger->GetBlockchainInfo().height,
                                          *results.private_rwset);
      if (!persisted.ok()) throw std::runtime_error(std::string(persisted.message()));
    }
    return endorsed;
  }
};

struct Network {
  weft::testing::TestNetwork base;
  weft::testing::TestIdentity org2_ca = weft::testing::MakeTestCa("ca.org2.example.com", "Org2");
  weft::msp::SigningIdentity org2_admin =
      weft::testing::MakeSigner(weft::testing::IssueLeaf(org2_ca, "Admin", {"admin"}), "Org2MSP");
  ::common::Config config = MakeConfig();
  std::shared_ptr<const channelconfig::ChannelConfig> bundle =
      Must(channelconfig::ChannelConfig::FromConfig(kChannel, config));
  ::common::Block genesis = Must(channelconfig::BuildGenesisBlock(kChannel, config));
  Peer org1{"Org1MSP", base.org1_ca, bundle, genesis};
  Peer org2{"Org2MSP", org2_ca, bundle, genesis};

  ::common::Config MakeConfig() const {
    channelconfig::ChannelSpec spec = base.Spec();
    spec.application->organizations.push_back(weft::testing::NodeOuOrg("Org2MSP", org2_ca));
    // configtxgen's sample Application policies.
    spec.application->policies["Endorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
    spec.application->policies["LifecycleEndorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
    return Must(channelconfig::BuildConfig(spec));
  }

  // Orders `endorsed` into the next block and commits it on both peers, each
  // with its own transient store.
  ::protos::TxValidationCode Commit(const Endorsed& endorsed) {
    ::protos::TxValidationCode code = ::protos::NOT_VALIDATED;
    for (Peer* peer : {&org1, &org2}) {
      auto info = peer->ledger->GetBlockchainInfo();
      auto block = weft::testing::LedgerBlock(
          info.height, info.current_block_hash,
          {weft::testing::EndorserTxEnvelope(kChannel, endorsed.tx_id, endorsed.rwset)});
      auto codes = Must(peer->ledger->CommitBlock(block, {::protos::VALID}, peer->transient.get()));
      code = codes.at(0);
    }
    return code;
  }
};

template <typename Args>
Args Definition(const std::string& name, int64_t sequence, const std::string& version) {
  Args args;
  args.set_name(name);
  args.set_sequence(sequence);
  args.set_version(version);
  return args;
}

::lifecycle::ApproveChaincodeDefinitionForMyOrgArgs Approval(int64_t sequence,
                                                             const std::string& version,
                                                             const std::string& package_id) {
  auto args =
      Definition<::lifecycle::ApproveChaincodeDefinitionForMyOrgArgs>("basic", sequence, version);
  if (!package_id.empty())
    args.mutable_source()->mutable_local_package()->set_package_id(package_id);
  return args;
}

template <typename Result>
Result Parse(const ::protos::Response& response) {
  INFO(response.message());
  REQUIRE(response.status() == 200);
  Result result;
  REQUIRE(result.ParseFromString(response.payload()));
  return result;
}

std::map<std::string, bool> Approvals(const google::protobuf::Map<std::string, bool>& map) {
  return {map.begin(), map.end()};
}

// Approves `basic` at `sequence` on both orgs' peers and commits each approval.
void ApproveByBoth(Network& net, int64_t sequence, const std::string& version) {
  auto org1 = net.org1.Invoke(net.base.admin, "ApproveChaincodeDefinitionForMyOrg",
                              Approval(sequence, version, "basic_1:aa").SerializeAsString());
  INFO(org1.response.message());
  REQUIRE(org1.response.status() == 200);
  REQUIRE(net.Commit(org1) == ::protos::VALID);
  auto org2 = net.org2.Invoke(net.org2_admin, "ApproveChaincodeDefinitionForMyOrg",
                              Approval(sequence, version, "").SerializeAsString());
  INFO(org2.response.message());
  REQUIRE(org2.response.status() == 200);
  REQUIRE(net.Commit(org2) == ::protos::VALID);
}

Endorsed CommitDefinition(Network& net, int64_t sequence, const std::string& version) {
  return net.org1.Invoke(
      net.base.admin, "CommitChaincodeDefinition",
      Definition<::lifecycle::CommitChaincodeDefinitionArgs>("basic", sequence, version)
          .SerializeAsString());
}

std::string ReadinessInput(int64_t sequence, const std::string& version) {
  return Definition<::lifecycle::CheckCommitReadinessArgs>("basic", sequence, version)
      .SerializeAsString();
}

// Fabric's DefaultEndorsementPolicyBytes: ApplicationPolicy{channel_config_policy_reference:
// "/Channel/Application/Endorsement"} = 12 20 <32 bytes>.
const std::string kDefaultPolicyHex = "1220" + HexEncode("/Channel/Application/Endorsement");

}  // namespace

TEST_CASE("Install, approve by both orgs, check readiness, commit and query a definition") {
  Network net;
  // InstallChaincode is channel-less and answers the package id and label.
  auto installed = net.org1.Invoke(
      net.base.admin, "InstallChaincode",
      [] {
        ::lifecycle::InstallChaincodeArgs args;
        args.set_chaincode_install_package("pkg:basic_1");
        return args.SerializeAsString();
      }(),
      "");
  auto install_result = Parse<::lifecycle::InstallChaincodeResult>(installed.response);
  CHECK(install_result.label() == "basic_1");
  const std::string package_id = install_result.package_id();

  // Org1 approves with its package; the approval is private data of Org1's
  // implicit collection: no public write, hashed writes only.
  auto org1 = net.org1.Invoke(net.base.admin, "ApproveChaincodeDefinitionForMyOrg",
                              Approval(1, "1.0", package_id).SerializeAsString());
  INFO(org1.response.message());
  REQUIRE(org1.response.status() == 200);
  REQUIRE(org1.private_rwset.has_value());
  REQUIRE(org1.private_rwset->ns_pvt_rwset_size() == 1);
  CHECK(org1.private_rwset->ns_pvt_rwset(0).namespace_() == "_lifecycle");
  CHECK(org1.private_rwset->ns_pvt_rwset(0).collection_pvt_rwset(0).collection_name() ==
        "_implicit_org_Org1MSP");
  for (const auto& ns : org1.rwset.ns_rwset()) {
    ::kvrwset::KVRWSet kv;
    REQUIRE(kv.ParseFromString(ns.rwset()));
    CHECK(kv.writes_size() == 0);
  }
  REQUIRE(net.Commit(org1) == ::protos::VALID);

  // Only Org1 has approved so far.
  auto readiness =
      net.org1.Invoke(net.base.admin, "CheckCommitReadiness", ReadinessInput(1, "1.0"));
  CHECK(Approvals(Parse<::lifecycle::CheckCommitReadinessResult>(readiness.response).approvals()) ==
        std::map<std::string, bool>{{"Org1MSP", true}, {"Org2MSP", false}});

  auto org2 = net.org2.Invoke(net.org2_admin, "ApproveChaincodeDefinitionForMyOrg",
                              Approval(1, "1.0", "").SerializeAsString());
  INFO(org2.response.message());
  REQUIRE(org2.response.status() == 200);
  REQUIRE(net.Commit(org2) == ::protos::VALID);

  // Each peer has its own org's approval in clear and the other's as hashes.
  {
    auto query = net.org1.ledger->NewQueryExecutor();
    CHECK_FALSE(
        query->GetPrivateData("_lifecycle", "_implicit_org_Org1MSP", "namespaces/metadata/basic#1")
            .value()
            .empty());
    CHECK_FALSE(query
                    ->GetPrivateDataHash("_lifecycle", "_implicit_org_Org2MSP",
                                         "namespaces/metadata/basic#1")
                    .value()
                    .empty());
    CHECK(absl::IsFailedPrecondition(
        query->GetPrivateData("_lifecycle", "_implicit_org_Org2MSP", "namespaces/metadata/basic#1")
            .status()));
  }

  // Both orgs agree, seen from either peer.
  for (Peer* peer : {&net.org1, &net.org2}) {
    auto ready = peer->Invoke(peer == &net.org1 ? net.base.admin : net.org2_admin,
                              "CheckCommitReadiness", ReadinessInput(1, "1.0"));
    CHECK(Approvals(Parse<::lifecycle::CheckCommitReadinessResult>(ready.response).approvals()) ==
          std::map<std::string, bool>{{"Org1MSP", true}, {"Org2MSP", true}});
  }

  // A different definition is approved by no one.
  auto other = net.org1.Invoke(net.base.admin, "CheckCommitReadiness", ReadinessInput(1, "1.1"));
  CHECK(Approvals(Parse<::lifecycle::CheckCommitReadinessResult>(other.response).approvals()) ==
        std::map<std::string, bool>{{"Org1MSP", false}, {"Org2MSP", false}});

  // QueryApprovedChaincodeDefinition: this org's approval with its package.
  ::lifecycle::QueryApprovedChaincodeDefinitionArgs approved_args;
  approved_args.set_name("basic");
  auto approved = Parse<::lifecycle::QueryApprovedChaincodeDefinitionResult>(
      net.org1
          .Invoke(net.base.admin, "QueryApprovedChaincodeDefinition",
                  approved_args.SerializeAsString())
          .response);
  CHECK(approved.sequence() == 1);
  CHECK(approved.version() == "1.0");
  CHECK(approved.endorsement_plugin() == "escc");
  CHECK(approved.validation_plugin() == "vscc");
  CHECK(HexEncode(approved.validation_parameter()) == kDefaultPolicyHex);
  CHECK(approved.source().local_package().package_id() == package_id);
  auto approved2 = Parse<::lifecycle::QueryApprovedChaincodeDefinitionResult>(
      net.org2
          .Invoke(net.org2_admin, "QueryApprovedChaincodeDefinition",
                  approved_args.SerializeAsString())
          .response);
  CHECK(approved2.source().has_unavailable());

  // Commit: a public definition, and hashed reads of both orgs' approvals.
  auto commit = CommitDefinition(net, 1, "1.0");
  INFO(commit.response.message());
  REQUIRE(commit.response.status() == 200);
  std::map<std::string, int> hashed_reads;
  for (const auto& ns : commit.rwset.ns_rwset()) {
    for (const auto& collection : ns.collection_hashed_rwset()) {
      ::kvrwset::HashedRWSet hashed;
      REQUIRE(hashed.ParseFromString(collection.hashed_rwset()));
      hashed_reads[collection.collection_name()] = hashed.hashed_reads_size();
      CHECK(hashed.hashed_writes_size() == 0);
    }
  }
  // The metadata key and three fields of each org's "basic#1".
  CHECK(hashed_reads ==
        std::map<std::string, int>{{"_implicit_org_Org1MSP", 4}, {"_implicit_org_Org2MSP", 4}});
  REQUIRE(net.Commit(commit) == ::protos::VALID);

  ::lifecycle::QueryChaincodeDefinitionArgs query_args;
  query_args.set_name("basic");
  auto defined = Parse<::lifecycle::QueryChaincodeDefinitionResult>(
      net.org2.Invoke(net.org2_admin, "QueryChaincodeDefinition", query_args.SerializeAsString())
          .response);
  CHECK(defined.sequence() == 1);
  CHECK(defined.version() == "1.0");
  CHECK(defined.endorsement_plugin() == "escc");
  CHECK(defined.validation_plugin() == "vscc");
  CHECK(HexEncode(defined.validation_parameter()) == kDefaultPolicyHex);
  CHECK_FALSE(defined.init_required());
  CHECK(Approvals(defined.approvals()) ==
        std::map<std::string, bool>{{"Org1MSP", true}, {"Org2MSP", true}});

  auto all = Parse<::lifecycle::QueryChaincodeDefinitionsResult>(
      net.org1.Invoke(net.base.admin, "QueryChaincodeDefinitions", "").response);
  REQUIRE(all.chaincode_definitions_size() == 1);
  CHECK(all.chaincode_definitions(0).name() == "basic");
  CHECK(all.chaincode_definitions(0).sequence() == 1);
}

TEST_CASE("An approval is stored with the bytes of Fabric's serializer") {
  Network net;
  auto org1 = net.org1.Invoke(net.base.admin, "ApproveChaincodeDefinitionForMyOrg",
                              Approval(1, "1.0", "basic_1:aa").SerializeAsString());
  INFO(org1.response.message());
  REQUIRE(org1.response.status() == 200);
  ::kvrwset::KVRWSet kv;
  REQUIRE(kv.ParseFromString(org1.private_rwset->ns_pvt_rwset(0).collection_pvt_rwset(0).rwset()));
  std::map<std::string, std::string> writes;
  for (const auto& write : kv.writes()) writes[write.key()] = HexEncode(write.value());
  // Written out by hand from db.proto, lifecycle/chaincode_definition.proto and
  // policy.proto: StateMetadata{1: datatype, 2: fields}, StateData{1: Int64,
  // 2: Bytes, 3: String}, ChaincodeEndorsementInfo{1: version, 3: plugin},
  // ChaincodeValidationInfo{1: plugin, 2: parameter}.
  const std::string endorsement_info = "0a03" + HexEncode("1.0") + "1a04" + HexEncode("escc");
  const std::string validation_info =
      "0a04" + HexEncode("vscc") + "1222" + kDefaultPolicyHex;  // 34-byte parameter
  CHECK(writes ==
        std::map<std::string, std::string>{
            {"chaincode-sources/fields/basic#1/PackageID", "1a0a" + HexEncode("basic_1:aa")},
            {"chaincode-sources/metadata/basic#1",
             "0a15" + HexEncode("ChaincodeLocalPackage") + "1209" + HexEncode("PackageID")},
            {"namespaces/fields/basic#1/Collections", "1200"},
            {"namespaces/fields/basic#1/EndorsementInfo", "120b" + endorsement_info},
            {"namespaces/fields/basic#1/ValidationInfo", "122a" + validation_info},
            {"namespaces/metadata/basic#1",
             "0a13" + HexEncode("ChaincodeParameters") + "120f" + HexEncode("EndorsementInfo") +
                 "120e" + HexEncode("ValidationInfo") + "120b" + HexEncode("Collections")},
        });
  // The public rwset carries only their hashes, in the same key order.
  ::kvrwset::HashedRWSet hashed;
  for (const auto& ns : org1.rwset.ns_rwset()) {
    if (ns.collection_hashed_rwset_size() > 0) {
      REQUIRE(hashed.ParseFromString(ns.collection_hashed_rwset(0).hashed_rwset()));
    }
  }
  REQUIRE(hashed.hashed_writes_size() == 6);
  CHECK(hashed.hashed_writes(0).key_hash() == Sha256("chaincode-sources/fields/basic#1/PackageID"));
  CHECK(hashed.hashed_writes(5).key_hash() == Sha256("namespaces/metadata/basic#1"));
}

TEST_CASE("A definition is upgraded by sequence + 1") {
  Network net;
  ApproveByBoth(net, 1, "1.0");
  auto first = CommitDefinition(net, 1, "1.0");
  REQUIRE(first.response.status() == 200);
  REQUIRE(net.Commit(first) == ::protos::VALID);

  // Sequence 2 with a new version and an explicit signature policy.
  ::protos::ApplicationPolicy policy;
  policy.set_channel_config_policy_reference("/Channel/Application/Writers");
  for (Peer* peer : {&net.org1, &net.org2}) {
    auto args = Approval(2, "2.0", "");
    args.set_validation_parameter(policy.SerializeAsString());
    auto endorsed = peer->Invoke(peer == &net.org1 ? net.base.admin : net.org2_admin,
                                 "ApproveChaincodeDefinitionForMyOrg", args.SerializeAsString());
    INFO(endorsed.response.message());
    REQUIRE(endorsed.response.status() == 200);
    REQUIRE(net.Commit(endorsed) == ::protos::VALID);
  }
  auto commit_args = Definition<::lifecycle::CommitChaincodeDefinitionArgs>("basic", 2, "2.0");
  commit_args.set_validation_parameter(policy.SerializeAsString());
  auto second =
      net.org1.Invoke(net.base.admin, "CommitChaincodeDefinition", commit_args.SerializeAsString());
  INFO(second.response.message());
  REQUIRE(second.response.status() == 200);
  REQUIRE(net.Commit(second) == ::protos::VALID);

  ::lifecycle::QueryChaincodeDefinitionArgs query_args;
  query_args.set_name("basic");
  auto defined = Parse<::lifecycle::QueryChaincodeDefinitionResult>(
      net.org1.Invoke(net.base.admin, "QueryChaincodeDefinition", query_args.SerializeAsString())
          .response);
  CHECK(defined.sequence() == 2);
  CHECK(defined.version() == "2.0");
  CHECK(defined.validation_parameter() == policy.SerializeAsString());
}

TEST_CASE("Sequences other than the committed one or the next are refused") {
  Network net;
  auto approve = [&](int64_t sequence, const std::string& version,
                     const std::string& package_id = "") {
    return net.org1
        .Invoke(net.base.admin, "ApproveChaincodeDefinitionForMyOrg",
                Approval(sequence, version, package_id).SerializeAsString())
        .response;
  };
  const std::string prefix =
      "failed to invoke backing implementation of 'ApproveChaincodeDefinitionForMyOrg': ";
  CHECK(approve(0, "1.0").message() ==
        prefix + "requested sequence is 0, but first definable sequence number is 1");
  CHECK(approve(3, "1.0").message() ==
        prefix + "requested sequence 3 is larger than the next available sequence number 1");
  auto early = CommitDefinition(net, 2, "1.0").response;
  CHECK(early.status() == 500);
  CHECK(early.message() ==
        "failed to invoke backing implementation of 'CommitChaincodeDefinition': requested "
        "sequence is 2, but new definition must be sequence 1");

  ApproveByBoth(net, 1, "1.0");
  // The same approval (and package) again changes nothing, so Fabric refuses
  // it; another package is a change.
  CHECK(approve(1, "1.0", "basic_1:aa").message() ==
        prefix +
            "attempted to redefine uncommitted sequence (1) for namespace basic with "
            "unchanged content");
  auto commit = CommitDefinition(net, 1, "1.0");
  REQUIRE(commit.response.status() == 200);
  REQUIRE(net.Commit(commit) == ::protos::VALID);

  CHECK(approve(0, "1.0").message() ==
        prefix + "currently defined sequence 1 is larger than requested sequence 0");
  CHECK(approve(1, "1.1").message() ==
        prefix +
            "attempted to redefine the current committed sequence (1) for namespace basic "
            "with different parameters: expected Version '1.0' does not match passed "
            "Version '1.1'");
  CHECK(CommitDefinition(net, 1, "1.0").response.message() ==
        "failed to invoke backing implementation of 'CommitChaincodeDefinition': requested "
        "sequence is 1, but new definition must be sequence 2");
}

TEST_CASE("A commit needs this org's own approval") {
  Network net;
  auto org2 = net.org2.Invoke(net.org2_admin, "ApproveChaincodeDefinitionForMyOrg",
                              Approval(1, "1.0", "").SerializeAsString());
  REQUIRE(org2.response.status() == 200);
  REQUIRE(net.Commit(org2) == ::protos::VALID);
  auto commit = CommitDefinition(net, 1, "1.0").response;
  CHECK(commit.status() == 500);
  CHECK(commit.message() ==
        "failed to invoke backing implementation of 'CommitChaincodeDefinition': chaincode "
        "definition not agreed to by this org (Org1MSP)");
}

TEST_CASE("A definition commits when a minority approved: the policy is validation's job") {
  // Fabric's CommitChaincodeDefinition only requires this org's approval; the
  // LifecycleEndorsement policy is checked by the validator.
  Network net;
  auto org1 = net.org1.Invoke(net.base.admin, "ApproveChaincodeDefinitionForMyOrg",
                              Approval(1, "1.0", "").SerializeAsString());
  REQUIRE(net.Commit(org1) == ::protos::VALID);
  auto commit = CommitDefinition(net, 1, "1.0");
  CHECK(commit.response.status() == 200);
}

TEST_CASE("_lifecycle applies Fabric's ACLs") {
  Network net;
  const std::string install = [] {
    ::lifecycle::InstallChaincodeArgs args;
    args.set_chaincode_install_package("pkg:basic_1");
    return args.SerializeAsString();
  }();
  // Install: local MSP Admins; a client of the org is refused.
  auto by_client = net.org1.Invoke(net.base.client, "InstallChaincode", install, "").response;
  CHECK(by_client.status() == 500);
  CHECK_THAT(by_client.message(),
             Catch::StartsWith("Failed to authorize invocation due to failed ACL check: Failed "
                               "verifying that proposal's creator satisfies local MSP principal "
                               "during channelless check policy with policy [Admins]: ["));
  CHECK(net.org1.installed.packages.empty());
  // An admin of another org is not an admin of this peer's MSP.
  auto by_org2 = net.org1
                     .Invoke(net.org2_admin, "ApproveChaincodeDefinitionForMyOrg",
                             Approval(1, "1.0", "").SerializeAsString())
                     .response;
  CHECK(by_org2.message() ==
        "Failed to authorize invocation due to failed ACL check: Failed deserializing proposal "
        "creator during channelless check policy with policy [Admins]: [expected MSP ID Org1MSP, "
        "received Org2MSP]");
  // Commit and readiness: channel Writers; a peer identity is a reader only.
  auto by_peer =
      net.org1.Invoke(net.base.peer, "CheckCommitReadiness", ReadinessInput(1, "1.0")).response;
  CHECK(by_peer.status() == 500);
  CHECK_THAT(by_peer.message(),
             Catch::StartsWith("Failed to authorize invocation due to failed ACL check: Failed "
                               "evaluating policy on signed data during check policy on channel "
                               "[mychannel] with policy [/Channel/Application/Writers]"));
  // A client is a writer.
  CHECK(net.org1.Invoke(net.base.client, "CheckCommitReadiness", ReadinessInput(1, "1.0"))
            .response.status() == 200);
  // An unknown function has no policy.
  CHECK(net.org1.Invoke(net.base.admin, "Frobnicate", "").response.message() ==
        "Failed to authorize invocation due to failed ACL check: Unmapped policy for "
        "_lifecycle/Frobnicate");
}

TEST_CASE("Installed packages are listed, queried and fetched through the store") {
  Network net;
  ::lifecycle::InstallChaincodeArgs install;
  install.set_chaincode_install_package("pkg:basic_1");
  auto installed = Parse<::lifecycle::InstallChaincodeResult>(
      net.org1.Invoke(net.base.admin, "InstallChaincode", install.SerializeAsString(), "")
          .response);
  auto again =
      net.org1.Invoke(net.base.admin, "InstallChaincode", install.SerializeAsString(), "").response;
  CHECK(again.message() ==
        "failed to invoke backing implementation of 'InstallChaincode': chaincode already "
        "successfully installed (package ID '" +
            installed.package_id() + "')");
  install.set_chaincode_install_package("not a package");
  CHECK(net.org1.Invoke(net.base.admin, "InstallChaincode", install.SerializeAsString(), "")
            .response.message() ==
        "failed to invoke backing implementation of 'InstallChaincode': could not parse as a "
        "chaincode install package: not a fake package");

  net.org1.installed.packages[installed.package_id()].first.references["mychannel"] = {
      {"basic", "1.0"}};
  ::lifecycle::QueryInstalledChaincodeArgs query;
  query.set_package_id(installed.package_id());
  auto found = Parse<::lifecycle::QueryInstalledChaincodeResult>(
      net.org1.Invoke(net.base.admin, "QueryInstalledChaincode", query.SerializeAsString(), "")
          .response);
  CHECK(found.label() == "basic_1");
  REQUIRE(found.references().count("mychannel") == 1);
  CHECK(found.references().at("mychannel").chaincodes(0).name() == "basic");
  query.set_package_id("nope:00");
  CHECK(net.org1.Invoke(net.base.admin, "QueryInstalledChaincode", query.SerializeAsString(), "")
            .response.message() ==
        "failed to invoke backing implementation of 'QueryInstalledChaincode': could not find "
        "chaincode with package id 'nope:00'");

  auto list = Parse<::lifecycle::QueryInstalledChaincodesResult>(
      net.org1.Invoke(net.base.admin, "QueryInstalledChaincodes", "", "").response);
  REQUIRE(list.installed_chaincodes_size() == 1);
  CHECK(list.installed_chaincodes(0).package_id() == installed.package_id());

  ::lifecycle::GetInstalledChaincodePackageArgs get;
  get.set_package_id(installed.package_id());
  CHECK(Parse<::lifecycle::GetInstalledChaincodePackageResult>(
            net.org1
                .Invoke(net.base.admin, "GetInstalledChaincodePackage", get.SerializeAsString(), "")
                .response)
            .chaincode_install_package() == "pkg:basic_1");
  get.set_package_id("nope:00");
  CHECK(net.org1.Invoke(net.base.admin, "GetInstalledChaincodePackage", get.SerializeAsString(), "")
            .response.message() ==
        "failed to invoke backing implementation of 'GetInstalledChaincodePackage': could not "
        "load cc install package: chaincode install package 'nope:00' not found");
}

TEST_CASE("_lifecycle refuses malformed invocations with Fabric's messages") {
  Network net;
  ::lifecycle::QueryChaincodeDefinitionArgs query;
  query.set_name("basic");
  auto undefined =
      net.org1.Invoke(net.base.admin, "QueryChaincodeDefinition", query.SerializeAsString())
          .response;
  CHECK(undefined.status() == 404);
  CHECK(undefined.message() == "namespace basic is not defined");

  auto approved = net.org1
                      .Invoke(net.base.admin, "QueryApprovedChaincodeDefinition",
                              [] {
                                ::lifecycle::QueryApprovedChaincodeDefinitionArgs args;
                                args.set_name("basic");
                                args.set_sequence(1);
                                return args.SerializeAsString();
                              }())
                      .response;
  CHECK(approved.status() == 500);
  CHECK(approved.message() ==
        "failed to invoke backing implementation of 'QueryApprovedChaincodeDefinition': could "
        "not fetch approved chaincode definition (name: 'basic', sequence: '1') on channel "
        "'mychannel'");

  CHECK(net.org1.scc.Invoke({"QueryChaincodeDefinitions"}, {}, nullptr).message() ==
        "lifecycle scc operations require exactly two arguments but received 1");
  CHECK(net.org1.scc.Invoke({}, {}, nullptr).message() ==
        "lifecycle scc must be invoked with arguments");
  CHECK_THAT(net.org1.Invoke(net.base.admin, "ApproveChaincodeDefinitionForMyOrg", "\xff\xff")
                 .response.message(),
             Catch::StartsWith("failed to invoke backing implementation of "
                               "'ApproveChaincodeDefinitionForMyOrg': could not decode input arg "
                               "for *lifecycle.Invocation.ApproveChaincodeDefinitionForMyOrg"));

  auto bad_name = Approval(1, "1.0", "");
  bad_name.set_name("_basic");
  CHECK(net.org1
            .Invoke(net.base.admin, "ApproveChaincodeDefinitionForMyOrg",
                    bad_name.SerializeAsString())
            .response.message() ==
        "failed to invoke backing implementation of 'ApproveChaincodeDefinitionForMyOrg': error "
        "validating chaincode definition: invalid chaincode name '_basic'. Names can only "
        "consist of alphanumerics, '_', and '-' and can only begin with alphanumerics");
  auto system_name = Approval(1, "1.0", "");
  system_name.set_name("qscc");
  CHECK_THAT(net.org1
                 .Invoke(net.base.admin, "ApproveChaincodeDefinitionForMyOrg",
                         system_name.SerializeAsString())
                 .response.message(),
             Catch::EndsWith("chaincode name 'qscc' is the name of a system chaincode"));
  auto duplicate = Approval(1, "1.0", "");
  for (int i = 0; i < 2; ++i) {
    auto* collection =
        duplicate.mutable_collections()->add_config()->mutable_static_collection_config();
    collection->set_name("private");
    collection->mutable_member_orgs_policy()->mutable_signature_policy();
  }
  CHECK_THAT(
      net.org1
          .Invoke(net.base.admin, "ApproveChaincodeDefinitionForMyOrg",
                  duplicate.SerializeAsString())
          .response.message(),
      Catch::EndsWith("collection-name: private -- found duplicate in collection configuration"));

  // Member orgs: an OR of principals of channel orgs (validateSpOrConcat and
  // validateCollectionConfigMemberOrgsPolicy).
  auto members = [&](int n, const std::string& msp_id) {
    auto args = Approval(1, "1.0", "");
    auto* collection = args.mutable_collections()->add_config()->mutable_static_collection_config();
    collection->set_name("private");
    auto* policy = collection->mutable_member_orgs_policy()->mutable_signature_policy();
    ::common::MSPRole role;
    role.set_msp_identifier(msp_id);
    role.set_role(::common::MSPRole::MEMBER);
    auto* principal = policy->add_identities();
    principal->set_principal_classification(::common::MSPPrincipal::ROLE);
    principal->set_principal(role.SerializeAsString());
    auto* rule = policy->mutable_rule()->mutable_n_out_of();
    rule->set_n(n);
    rule->add_rules()->set_signed_by(0);
    return net.org1
        .Invoke(net.base.admin, "ApproveChaincodeDefinitionForMyOrg", args.SerializeAsString())
        .response;
  };
  auto valid = members(1, "Org2MSP");
  INFO(valid.message());
  CHECK(valid.status() == 200);
  CHECK_THAT(members(2, "Org2MSP").message(),
             Catch::EndsWith("collection-name: private -- error in member org policy: signature "
                             "policy is not an OR concatenation, NOutOf 2"));
  CHECK_THAT(
      members(1, "Org3MSP").message(),
      Catch::EndsWith(
          "collection-name: private -- collection member 'Org3MSP' is not part of the channel"));
}

TEST_CASE("_lifecycle refuses a channel without the V2_0 application capability") {
  weft::testing::TestNetwork base;
  channelconfig::ChannelSpec spec = base.Spec();
  spec.application->capabilities = {"V1_4_2"};
  spec.application->policies["Endorsement"] = {"ImplicitMeta", "MAJORITY Endorsement"};
  auto config = Must(channelconfig::BuildConfig(spec));
  Peer peer("Org1MSP", base.org1_ca,
            Must(channelconfig::ChannelConfig::FromConfig(kChannel, config)),
            Must(channelconfig::BuildGenesisBlock(kChannel, config)));
  auto response =
      peer.Invoke(base.admin, "CheckCommitReadiness", ReadinessInput(1, "1.0")).response;
  CHECK(response.status() == 500);
  CHECK(response.message() ==
        "cannot use new lifecycle for channel 'mychannel' as it does not have the required "
        "capabilities enabled");
}
