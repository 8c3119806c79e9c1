// crypto-config.yaml, the input of cryptogen, in Fabric's format: lists of
// orderer and peer organisations, each with a CA, explicit node specs, a node
// template and a user count.
//
// Loading also expands what Fabric's cryptogen expands before generating: the
// Template becomes node specs ("{{.Prefix}}{{.Index}}" host names), every
// CommonName and SANS entry is rendered ("{{.Hostname}}", "{{.Domain}}",
// "{{.CommonName}}"), and host names are checked to be unique per organisation.
//
// Thread-safety: plain values and stateless functions.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status/status.h"

namespace weft::tools::cryptogen {

enum class OrgKind { kOrderer, kPeer };

// A CA, a peer or an orderer of an organisation.
struct NodeSpec {
  std::string hostname;
  // Rendered; defaults to "<hostname>.<domain>". Also the node's folder name.
  std::string common_name;
  // Subject fields; only the CA's are used, and its leaves inherit them.
  // StreetAddress and PostalCode are read but not written (loading warns).
  std::string country;
  std::string province;
  std::string locality;
  std::string organizational_unit;
  std::string street_address;
  std::string postal_code;
  // Rendered subject alternative names: common name, host name, then the SANS
  // entries of the spec (or of the template), without duplicates.
  std::vector<std::string> sans;
};

struct OrgSpec {
  std::string name;
  std::string domain;
  bool enable_node_ous = false;
  NodeSpec ca;
  // Explicit Specs first, then the nodes the Template produced.
  std::vector<NodeSpec> nodes;
  // Users besides Admin: User1 .. User<user_count> (orderer orgs have none).
  int user_count = 0;
};

struct CryptoConfig {
  std::vector<OrgSpec> orderer_orgs;
  std::vector<OrgSpec> peer_orgs;
};

// The config, and warnings about keys Weft does not know or does not use.
struct LoadedCryptoConfig {
  CryptoConfig config;
  std::vector<std::string> warnings;
};

// Reads `file`. Errors name the file and the key: "crypto-config.yaml:
// PeerOrgs[0].Template.Count: expected an integer, got 'two'".
[[nodiscard]] StatusOr<LoadedCryptoConfig> LoadCryptoConfig(const std::filesystem::path& file);

// The same from text; `file_name` is how messages refer to it.
[[nodiscard]] StatusOr<LoadedCryptoConfig> ParseCryptoConfig(
    std::string_view yaml, const std::filesystem::path& file_name);

// A commented crypto-config.yaml describing every option (what `cryptogen
// showtemplate` prints, and what `generate` uses without --config).
std::string_view SampleCryptoConfig();

}  // namespace weft::tools::cryptogen
