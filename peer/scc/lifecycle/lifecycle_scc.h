// _lifecycle, the chaincode lifecycle system chaincode, as Fabric's
// core/chaincode/lifecycle/scc.go (release-2.5). Every invocation carries
// exactly two arguments: the function name and the marshalled
// lifecycle.<Function>Args; a success is status 200 with the marshalled
// lifecycle.<Function>Result.
//   InstallChaincode, QueryInstalledChaincode, QueryInstalledChaincodes,
//   GetInstalledChaincodePackage        the peer's package store (InstalledChaincodes)
//   ApproveChaincodeDefinitionForMyOrg  this org's approval, written as private data to
//                                       its implicit collection _implicit_org_<MSPID>
//   QueryApprovedChaincodeDefinition    reads it back
//   CheckCommitReadiness                every channel org's approval, compared by hash
//   CommitChaincodeDefinition           the definition at namespaces/... with
//                                       sequence = committed + 1 (reads of every org's
//                                       approval hashes go in the rwset; whether
//                                       enough orgs approved is the LifecycleEndorsement
//                                       policy's business at validation)
//   QueryChaincodeDefinition(s)         the committed definitions
// (definition logic: peer/lifecycle/lifecycle_functions.h). Checks, in Fabric's
// order: argument count; for a channel proposal, the channel's config with an
// Application section and the V2_0 (or V2_5) application capability; the ACL
// of resource "_lifecycle/<function>" (peer resources: local MSP Admins unless
// the channel's ACLs name the resource; channel resources through AclProvider,
// default /Channel/Application/Writers). Failures are status 500 with Fabric's
// messages ("failed to invoke backing implementation of '<f>': ..."); only
// QueryChaincodeDefinition of an undefined chaincode answers 404.
//
// Thread-safety: LifecycleScc is thread-safe when its collaborators are; the
// simulator belongs to the one invocation.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/status/status.h"
#include "msp/msp.h"
#include "peer/aclmgmt/acl_provider.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::peer::scc::lifecycle {

inline constexpr char kName[] = "_lifecycle";
inline constexpr char kInstallChaincode[] = "InstallChaincode";
inline constexpr char kQueryInstalledChaincode[] = "QueryInstalledChaincode";
inline constexpr char kQueryInstalledChaincodes[] = "QueryInstalledChaincodes";
inline constexpr char kGetInstalledChaincodePackage[] = "GetInstalledChaincodePackage";
inline constexpr char kApproveChaincodeDefinitionForMyOrg[] = "ApproveChaincodeDefinitionForMyOrg";
inline constexpr char kQueryApprovedChaincodeDefinition[] = "QueryApprovedChaincodeDefinition";
inline constexpr char kCheckCommitReadiness[] = "CheckCommitReadiness";
inline constexpr char kCommitChaincodeDefinition[] = "CommitChaincodeDefinition";
inline constexpr char kQueryChaincodeDefinition[] = "QueryChaincodeDefinition";
inline constexpr char kQueryChaincodeDefinitions[] = "QueryChaincodeDefinitions";

// A chaincode definition that uses an installed package.
struct ChaincodeReference {
  std::string name;
  std::string version;
};

// Fabric's chaincode.InstalledChaincode.
struct InstalledChaincode {
  std::string package_id;  // "<label>:<hex SHA-256 of the package bytes>"
  std::string label;
  // Channel -> the definitions on it that use this package (may be empty).
  std::map<std::string, std::vector<ChaincodeReference>> references;
};

// The peer's chaincode package store, as _lifecycle sees it (Fabric's
// ChaincodeStore + InstalledChaincodesLister + builder). Implemented by the
// package store; must be thread-safe.
class InstalledChaincodes {
 public:
  virtual ~InstalledChaincodes() = default;
  // Parses, saves and builds a chaincode install package. The error's message
  // reaches the client after "failed to invoke backing implementation of
  // 'InstallChaincode': ", so it should carry Fabric's wording ("could not parse
  // as a chaincode install package: ...", "chaincode already successfully
  // installed (package ID '<id>')", ...).
  [[nodiscard]] virtual StatusOr<InstalledChaincode> Install(std::string_view package_bytes) = 0;
  // nullopt when no package has that id.
  virtual std::optional<InstalledChaincode> Find(std::string_view package_id) const = 0;
  virtual std::vector<InstalledChaincode> List() const = 0;
  // The package bytes; NotFound "chaincode install package '<id>' not found"
  // (Fabric's CodePackageNotFoundErr) when no package has that id.
  [[nodiscard]] virtual StatusOr<std::string> Load(std::string_view package_id) const = 0;
};

class LifecycleScc {
 public:
  // Channel id -> its current config bundle; nullptr when the peer has not joined it.
  using ConfigLookup = std::function<std::shared_ptr<const common::channelconfig::ChannelConfig>(
      std::string_view channel_id)>;

  // All must outlive this object. The local MSP's id is this peer's org.
  LifecycleScc(const msp::Msp& local_msp, const aclmgmt::AclProvider& acl, ConfigLookup configs,
               InstalledChaincodes& installed);

  // Fabric's Init: nothing to set up.
  ::protos::Response Init() const;
  // One invocation: `args` are ChaincodeInput.args, `signed_proposal` the
  // proposal that invoked _lifecycle, `simulator` the channel's simulation of it
  // (null for channel-less calls: install and the installed-package queries).
  ::protos::Response Invoke(const std::vector<std::string>& args,
                            const ::protos::SignedProposal& signed_proposal,
                            ledger::TxSimulator* simulator) const;

 private:
  struct Call;

  const msp::Msp& local_msp_;
  const aclmgmt::AclProvider& acl_;
  ConfigLookup configs_;
  InstalledChaincodes& installed_;
};

}  // namespace weft::peer::scc::lifecycle
