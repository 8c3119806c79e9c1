#include "tools/cryptogen/generator.h"

#include <algorithm>

#include "fmt/format.h"
#include "tools/cryptogen/impl/ca.h"
#include "tools/cryptogen/impl/msp_writer.h"

namespace weft::tools::cryptogen {
namespace {

namespace fs = std::filesystem;
using impl::Ca;
using impl::MspWriter;
using impl::NodeRole;

// A node's TLS names: its own SANs plus the loopback names, so that a network
// run on one machine can dial every node as localhost.
std::vector<std::string> TlsSans(const NodeSpec& node) {
  std::vector<std::string> sans = node.sans;
  for (const char* loopback : {"localhost", "127.0.0.1"}) {
    if (std::find(sans.begin(), sans.end(), loopback) == sans.end()) sans.push_back(loopback);
  }
  return sans;
}

[[nodiscard]] Status GenerateIdentities(const OrgSpec& org, OrgKind kind, const fs::path& org_dir,
                                        const impl::Validity& validity) {
  WEFT_ASSIGN_OR_RETURN(
      Ca sign_ca, Ca::Create(org_dir / "ca", org.domain, org.ca.common_name, org.ca, validity));
  WEFT_ASSIGN_OR_RETURN(Ca tls_ca, Ca::Create(org_dir / "tlsca", org.domain,
                                              "tls" + org.ca.common_name, org.ca, validity));
  MspWriter writer(sign_ca, tls_ca, org.enable_node_ous);

  // The Admin comes first: without NodeOUs every other MSP lists its certificate.
  const std::string admin = "Admin@" + org.domain;
  WEFT_ASSIGN_OR_RETURN(auto admin_certificate, writer.WriteLocalMsp(org_dir / "users" / admin,
                                                                     admin, {}, NodeRole::kAdmin));
  writer.set_admin_certificate(std::move(admin_certificate));
  WEFT_RETURN_IF_ERROR(writer.WriteVerifyingMsp(org_dir / "msp"));

  const bool peers = kind == OrgKind::kPeer;
  const fs::path nodes_dir = org_dir / (peers ? "peers" : "orderers");
  const NodeRole node_role = peers ? NodeRole::kPeer : NodeRole::kOrderer;
  for (const NodeSpec& node : org.nodes) {
    auto written = writer.WriteLocalMsp(nodes_dir / node.common_name, node.common_name,
                                        TlsSans(node), node_role);
    WEFT_RETURN_IF_ERROR(written.status());
  }
  for (int i = 1; i <= org.user_count; ++i) {
    const std::string user = fmt::format("User{}@{}", i, org.domain);
    WEFT_RETURN_IF_ERROR(
        writer.WriteLocalMsp(org_dir / "users" / user, user, {}, NodeRole::kClient).status());
  }
  return absl::OkStatus();
}

}  // namespace

[[nodiscard]] Status GenerateOrg(const OrgSpec& org, OrgKind kind, const fs::path& output,
                                 std::chrono::system_clock::time_point now) {
  const fs::path org_dir =
      output / (kind == OrgKind::kPeer ? "peerOrganizations" : "ordererOrganizations") / org.domain;
  return Annotate(GenerateIdentities(org, kind, org_dir, impl::Validity::From(now)),
                  "generating organisation " + org.domain);
}

[[nodiscard]] Status Generate(const CryptoConfig& config, const fs::path& output,
                              std::chrono::system_clock::time_point now) {
  for (const OrgSpec& org : config.orderer_orgs) {
    WEFT_RETURN_IF_ERROR(GenerateOrg(org, OrgKind::kOrderer, output, now));
  }
  for (const OrgSpec& org : config.peer_orgs) {
    WEFT_RETURN_IF_ERROR(GenerateOrg(org, OrgKind::kPeer, output, now));
  }
  return absl::OkStatus();
}

}  // namespace weft::tools::cryptogen
