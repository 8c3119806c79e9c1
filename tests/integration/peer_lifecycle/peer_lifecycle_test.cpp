// _lifecycle's channel-less functions on a real `peer` (TLS on, its solo orderer
// running), as `peer lifecycle chaincode install / queryinstalled /
// getinstalledpackage` send them (Fabric release-2.5 internal/peer/lifecycle/chaincode:
// a channel-less ENDORSER_TRANSACTION proposal to "_lifecycle" with the function
// name and the marshalled lifecycle.<Function>Args). The package is written the way
// Fabric's CLI writes it (tests/support/fabric_package.h), of Weft's `binary` type so
// that building it needs nothing but a copy. Once the peer has joined the channel,
// _lifecycle's channel functions run on the proposal's simulator and are endorsed, and
// an ApproveChaincodeDefinitionForMyOrg ordered and committed is read back: its private
// write went from the endorsement to the transient store and from there into the
// committed block's private state.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "client-sdk/endorser_client.h"
#include "client-sdk/orderer_client.h"
#include "client-sdk/proposal_builder.h"
#include "client-sdk/signer.h"
#include "client-sdk/transaction_builder.h"
#include "common/common.pb.h"
#include "common/crypto/hash.h"
#include "common/protoutil/proposal.h"
#include "msp/signing_identity.h"
#include "peer/lifecycle/lifecycle.pb.h"
#include "peer/proposal_response.pb.h"
#include "tests/support/fabric_package.h"
#include "tests/support/peer_network.h"
#include "tests/support/wait_until.h"

namespace {

namespace fs = std::filesystem;
namespace client = weft::client;
namespace crypto = weft::common::crypto;
namespace protoutil = weft::common::protoutil;
namespace testing = weft::testing;
using weft::msp::SigningIdentity;

constexpr char kLabel[] = "mycc_1.0";
// Fabric's scc.go Invoke wraps every backing error in this.
constexpr char kInstallFailed[] = "failed to invoke backing implementation of 'InstallChaincode': ";

SigningIdentity Load(const fs::path& msp_dir, const std::string& msp_id) {
  auto signer = client::LoadSigner(msp_dir, msp_id);
  INFO(signer.status().ToString());
  REQUIRE(signer.ok());
  return *std::move(signer);
}

// A program-less script is enough: the binary builder only copies src/ and marks
// the program executable.
std::string BinaryPackage(const std::string& label, const std::string& program_path) {
  testing::TarItem program("src/chaincode", "#!/bin/sh\nexit 0\n");
  program.uid = program.gid = 500;  // writer.go's owner
  return testing::FabricPackage(program_path, "binary", label,
                                testing::GoGzip(testing::GoTar({program})));
}

// Fabric's persistence.PackageID, computed here from the bytes.
std::string ExpectedPackageId(const std::string& label, const std::string& bytes) {
  return label + ":" + crypto::HexEncode(crypto::Sha256(bytes));
}

class LifecycleClient {
 public:
  explicit LifecycleClient(const client::EndorserClient& endorser) : endorser_(endorser) {}

  // A proposal as the CLI makes it (ChaincodeSpec type left unset); channel-less
  // unless `channel` is given.
  ::protos::ProposalResponse Send(
      const SigningIdentity& signer, const std::string& chaincode, std::vector<std::string> args,
      const std::string& channel = "",
      ::common::HeaderType type = ::common::ENDORSER_TRANSACTION) const {
    protoutil::ChaincodeProposalSpec spec;
    spec.channel_id = channel;
    spec.chaincode_name = chaincode;
    spec.args = std::move(args);
    spec.chaincode_type = ::protos::ChaincodeSpec::UNDEFINED;
    spec.header_type = type;
    auto created = protoutil::CreateChaincodeProposal(spec, signer.SerializedIdentity());
    REQUIRE(created.ok());
    auto signed_proposal = protoutil::SignProposal(created->proposal, signer);
    REQUIRE(signed_proposal.ok());
    auto answer = endorser_.ProcessProposal(*signed_proposal);
    INFO(answer.status().ToString());
    REQUIRE(answer.ok());
    return *std::move(answer);
  }

  ::protos::Response Call(const SigningIdentity& signer, const std::string& function,
                          const google::protobuf::Message& args,
                          const std::string& channel = "") const {
    return Send(signer, "_lifecycle", {function, args.SerializeAsString()}, channel).response();
  }

 private:
  const client::EndorserClient& endorser_;
};

std::vector<std::string> StoredFiles(const fs::path& dir) {
  std::vector<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE(
    "The peer installs a Fabric-written chaincode package through _lifecycle, lists it "
    "with its package ID, returns its bytes and refuses reinstalls, non-packages, failed "
    "builds and non-admins") {
  testing::PeerNetworkOptions options;
  options.bin_dir = fs::path(WEFT_BINARY_DIR) / "bin";
  options.source_dir = WEFT_SOURCE_DIR;
  testing::PeerNetwork network(options);
  const testing::PeerEndpoints endpoints = network.StartPeer(1);
  auto endorser = client::EndorserClient::Connect(endpoints.grpc, network.PeerClientSettings(1));
  REQUIRE(endorser.ok());
  const LifecycleClient lifecycle(**endorser);
  const SigningIdentity admin = Load(network.UserMsp(1, "Admin"), testing::PeerNetwork::MspId(1));
  const SigningIdentity user = Load(network.UserMsp(1, "User1"), testing::PeerNetwork::MspId(1));
  // persistence.Store's folder: <peer.fileSystemPath>/lifecycle/chaincodes.
  const fs::path store = network.PeerLedgersDir(1).parent_path() / "lifecycle" / "chaincodes";

  const std::string package = BinaryPackage(kLabel, "chaincode");
  const std::string package_id = ExpectedPackageId(kLabel, package);
  ::lifecycle::InstallChaincodeArgs install;
  install.set_chaincode_install_package(package);

  // Fabric's defaultACLProvider: _lifecycle/InstallChaincode and the installed-package
  // queries are peer resources, allowed to the local MSP's Admins only.
  {  // a client that is not an admin is refused by the ACL and nothing is written
    for (const char* function : {"InstallChaincode", "QueryInstalledChaincodes"}) {
      INFO(function);
      ::protos::Response refused =
          std::string(function) == "InstallChaincode"
              ? lifecycle.Call(user, function, install)
              : lifecycle.Call(user, function, ::lifecycle::QueryInstalledChaincodesArgs());
      CHECK(refused.status() == 500);
      CHECK_THAT(refused.message(), Catch::StartsWith("Failed to authorize invocation due to "
                                                      "failed ACL check: "));
    }
    CHECK(StoredFiles(store).empty());
  }

  {  // bytes that are not a package are refused and nothing is written
    ::lifecycle::InstallChaincodeArgs junk;
    junk.set_chaincode_install_package("this is not a chaincode package");
    ::protos::Response refused = lifecycle.Call(admin, "InstallChaincode", junk);
    CHECK(refused.status() == 500);
    // lifecycle.go: "could not parse as a chaincode install package: " + the parser's
    // "error reading as gzip stream: ...".
    CHECK_THAT(refused.message(),
               Catch::StartsWith(std::string(kInstallFailed) +
                                 "could not parse as a chaincode install package: error "
                                 "reading as gzip stream"));
    CHECK(StoredFiles(store).empty());
  }

  {  // a package that does not build is refused and not kept
    // metadata.json names a program that code.tar.gz does not hold.
    ::lifecycle::InstallChaincodeArgs broken;
    broken.set_chaincode_install_package(BinaryPackage("broken_1", "missing-program"));
    ::protos::Response refused = lifecycle.Call(admin, "InstallChaincode", broken);
    CHECK(refused.status() == 500);
    CHECK_THAT(refused.message(),
               Catch::StartsWith(std::string(kInstallFailed) + "could not build chaincode: "));
    CHECK(StoredFiles(store).empty());
  }

  {  // an admin installs, queries and fetches the package; a reinstall is refused
    ::protos::Response installed = lifecycle.Call(admin, "InstallChaincode", install);
    INFO(installed.message());
    REQUIRE(installed.status() == 200);
    ::lifecycle::InstallChaincodeResult result;
    REQUIRE(result.ParseFromString(installed.payload()));
    CHECK(result.package_id() == package_id);
    CHECK(result.label() == kLabel);
    // persistence.CCFileName: the package ID with '.' for ':', + ".tar.gz".
    const std::string file_name =
        std::string(kLabel) + "." + package_id.substr(sizeof(kLabel)) + ".tar.gz";
    CHECK(StoredFiles(store) == std::vector<std::string>{file_name});

    ::protos::Response listed = lifecycle.Call(admin, "QueryInstalledChaincodes",
                                               ::lifecycle::QueryInstalledChaincodesArgs());
    REQUIRE(listed.status() == 200);
    ::lifecycle::QueryInstalledChaincodesResult all;
    REQUIRE(all.ParseFromString(listed.payload()));
    REQUIRE(all.installed_chaincodes_size() == 1);
    CHECK(all.installed_chaincodes(0).package_id() == package_id);
    CHECK(all.installed_chaincodes(0).label() == kLabel);
    // No channel has a definition that uses it.
    CHECK(all.installed_chaincodes(0).references().empty());

    ::lifecycle::QueryInstalledChaincodeArgs one_args;
    one_args.set_package_id(package_id);
    ::protos::Response one = lifecycle.Call(admin, "QueryInstalledChaincode", one_args);
    REQUIRE(one.status() == 200);
    ::lifecycle::QueryInstalledChaincodeResult one_result;
    REQUIRE(one_result.ParseFromString(one.payload()));
    CHECK(one_result.package_id() == package_id);
    CHECK(one_result.label() == kLabel);

    ::lifecycle::GetInstalledChaincodePackageArgs get_args;
    get_args.set_package_id(package_id);
    ::protos::Response fetched = lifecycle.Call(admin, "GetInstalledChaincodePackage", get_args);
    REQUIRE(fetched.status() == 200);
    ::lifecycle::GetInstalledChaincodePackageResult bytes;
    REQUIRE(bytes.ParseFromString(fetched.payload()));
    CHECK(bytes.chaincode_install_package() == package);

    // lifecycle.go InstallChaincode: "chaincode already successfully installed
    // (package ID '<id>')".
    ::protos::Response again = lifecycle.Call(admin, "InstallChaincode", install);
    CHECK(again.status() == 500);
    CHECK(again.message() ==
          kInstallFailed +
              ("chaincode already successfully installed (package ID '" + package_id + "')"));
    CHECK(StoredFiles(store) == std::vector<std::string>{file_name});

    // A package never installed: persistence's CodePackageNotFoundErr, wrapped by
    // lifecycle.go's "could not load cc install package", so not scc.go's 404 case.
    get_args.set_package_id(ExpectedPackageId(kLabel, "other bytes"));
    ::protos::Response missing = lifecycle.Call(admin, "GetInstalledChaincodePackage", get_args);
    CHECK(missing.status() == 500);
    const std::string unknown = get_args.package_id();
    CHECK(missing.message() ==
          "failed to invoke backing implementation of 'GetInstalledChaincodePackage': could not "
          "load cc install package: chaincode install package '" +
              unknown + "' not found");
    // lifecycle.go QueryInstalledChaincode: "could not find chaincode with package id".
    one_args.set_package_id(unknown);
    ::protos::Response not_installed = lifecycle.Call(admin, "QueryInstalledChaincode", one_args);
    CHECK(not_installed.status() == 500);
    CHECK(not_installed.message() ==
          "failed to invoke backing implementation of 'QueryInstalledChaincode': could not find "
          "chaincode with package id '" +
              unknown + "'");
  }

  {  // on a joined channel, _lifecycle runs on the proposal's simulator and is endorsed
    // cscc JoinChain: a channel-less CONFIG proposal by an admin (`peer channel join`).
    ::protos::ProposalResponse joined =
        lifecycle.Send(admin, "cscc", {"JoinChain", network.genesis_block()}, "", ::common::CONFIG);
    INFO(joined.response().message());
    REQUIRE(joined.response().status() == 200);

    ::protos::ProposalResponse defined =
        lifecycle.Send(user, "_lifecycle",
                       {"QueryChaincodeDefinitions",
                        ::lifecycle::QueryChaincodeDefinitionsArgs().SerializeAsString()},
                       network.channel());
    INFO(defined.response().message());
    REQUIRE(defined.response().status() == 200);
    ::lifecycle::QueryChaincodeDefinitionsResult definitions;
    REQUIRE(definitions.ParseFromString(defined.response().payload()));
    CHECK(definitions.chaincode_definitions().empty());
    // A channel invocation that succeeds is endorsed (Fabric's endorser.go).
    CHECK_FALSE(defined.endorsement().signature().empty());

    // scc.go Invoke: ErrNamespaceNotDefined is status 404 with the bare error.
    ::lifecycle::QueryChaincodeDefinitionArgs one;
    one.set_name("nope");
    ::protos::Response undefined =
        lifecycle.Call(user, "QueryChaincodeDefinition", one, network.channel());
    CHECK(undefined.status() == 404);
    CHECK(undefined.message() == "namespace nope is not defined");
  }

  {  // this org's approval: endorsed with its private write, ordered, committed with the
     // private data the peer kept in its transient store, then readable back
    ::lifecycle::ApproveChaincodeDefinitionForMyOrgArgs approve;
    approve.set_sequence(1);
    approve.set_name("mycc");
    approve.set_version("1.0");
    approve.mutable_source()->mutable_local_package()->set_package_id(package_id);
    client::ProposalRequest request;
    request.channel_id = network.channel();
    request.chaincode_name = "_lifecycle";
    request.function = "ApproveChaincodeDefinitionForMyOrg";
    request.args = {approve.SerializeAsString()};
    request.chaincode_type = ::protos::ChaincodeSpec::UNDEFINED;
    auto proposal = client::CreateSignedProposal(request, admin);
    REQUIRE(proposal.ok());
    auto endorsed = (*endorser)->ProcessProposal(proposal->signed_proposal);
    REQUIRE(endorsed.ok());
    INFO(endorsed->response().message());
    REQUIRE(endorsed->response().status() == 200);
    const std::vector<::protos::ProposalResponse> responses{*endorsed};
    auto envelope = client::CreateSignedTransaction(proposal->proposal, responses, admin);
    INFO(envelope.status().ToString());
    REQUIRE(envelope.ok());
    auto broadcast = client::BroadcastClient::Connect(network.orderer_addresses(),
                                                      network.OrdererClientSettings());
    REQUIRE(broadcast.ok());
    const weft::Status submitted = (*broadcast)->Submit(*envelope);
    INFO(submitted.ToString());
    REQUIRE(submitted.ok());

    ::lifecycle::QueryApprovedChaincodeDefinitionArgs query;
    query.set_name("mycc");
    query.set_sequence(1);
    ::protos::Response approved;
    const bool committed = testing::WaitUntil(
        [&] {
          approved =
              lifecycle.Call(admin, "QueryApprovedChaincodeDefinition", query, network.channel());
          return approved.status() == 200;
        },
        std::chrono::seconds(60));
    INFO(approved.message());
    REQUIRE(committed);
    ::lifecycle::QueryApprovedChaincodeDefinitionResult result;
    REQUIRE(result.ParseFromString(approved.payload()));
    CHECK(result.version() == "1.0");
    CHECK(result.source().local_package().package_id() == package_id);
  }

  CHECK(network.StopPeer(1) == 0);
}
