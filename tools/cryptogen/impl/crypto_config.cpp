#include "tools/cryptogen/crypto_config.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "common/config/reader.h"
#include "fmt/format.h"
#include "tools/cryptogen/impl/node_template.h"

namespace weft::tools::cryptogen {
namespace {

using common::config::Need;
using common::config::Reader;
using impl::RenderTemplate;
using impl::TemplateFields;

constexpr std::string_view kDefaultCommonName = "{{.Hostname}}.{{.Domain}}";
constexpr std::string_view kDefaultHostname = "{{.Prefix}}{{.Index}}";
constexpr std::string_view kDefaultCaHostname = "ca";

// Host, common and domain names become folder names, so they must be one
// harmless path component.
void CheckFolderName(Reader& reader, const std::string& key, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    reader.AddError(key, fmt::format("'{}' cannot be used as a folder name", name));
  }
}

// Reads the fields of a NodeSpec at `key`; SANS stay unrendered in `raw_sans`.
void ReadNodeSpec(Reader& reader, const std::string& key, Need hostname_need, NodeSpec* spec,
                  std::vector<std::string>* raw_sans) {
  reader.ReadString(key + ".Hostname", &spec->hostname, hostname_need);
  reader.ReadString(key + ".CommonName", &spec->common_name);
  reader.ReadString(key + ".Country", &spec->country);
  reader.ReadString(key + ".Province", &spec->province);
  reader.ReadString(key + ".Locality", &spec->locality);
  reader.ReadString(key + ".OrganizationalUnit", &spec->organizational_unit);
  reader.ReadString(key + ".StreetAddress", &spec->street_address);
  reader.ReadString(key + ".PostalCode", &spec->postal_code);
  reader.ReadStringList(key + ".SANS", raw_sans);
}

// Fabric's renderNodeSpec: the common name from its template, then the SANS,
// which may refer to the rendered common name.
void RenderNodeSpec(Reader& reader, const std::string& key, const std::string& domain,
                    const std::vector<std::string>& raw_sans, NodeSpec* spec) {
  TemplateFields fields{{"Hostname", spec->hostname}, {"Domain", domain}};
  const std::string_view cn_template =
      spec->common_name.empty() ? kDefaultCommonName : std::string_view(spec->common_name);
  auto cn = RenderTemplate(cn_template, fields);
  if (!cn.ok()) {
    reader.AddError(key + ".CommonName", std::string(cn.status().message()));
    return;
  }
  spec->common_name = *std::move(cn);
  CheckFolderName(reader, key + ".CommonName", spec->common_name);
  fields["CommonName"] = spec->common_name;

  spec->sans.clear();
  auto add = [&](std::string san) {
    if (!san.empty() && std::find(spec->sans.begin(), spec->sans.end(), san) == spec->sans.end()) {
      spec->sans.push_back(std::move(san));
    }
  };
  add(spec->common_name);
  add(spec->hostname);
  for (const std::string& raw : raw_sans) {
    auto san = RenderTemplate(raw, fields);
    if (!san.ok()) {
      reader.AddError(key + ".SANS", std::string(san.status().message()));
      continue;
    }
    add(*std::move(san));
  }
}

// The nodes of the Template section: Count host names from the Hostname template
// with Index running from Start, all sharing the template's SANS.
void ExpandTemplate(Reader& reader, const std::string& key, const std::string& domain,
                    std::string_view prefix, std::vector<std::pair<std::string, NodeSpec>>* out) {
  int count = 0;
  int start = 0;
  std::string hostname_template(kDefaultHostname);
  std::vector<std::string> raw_sans;
  reader.ReadInt(key + ".Count", &count, 0, 10000);
  reader.ReadInt(key + ".Start", &start, 0, 1000000);
  reader.ReadString(key + ".Hostname", &hostname_template);
  reader.ReadStringList(key + ".SANS", &raw_sans);
  for (int i = 0; i < count; ++i) {
    TemplateFields fields{
        {"Prefix", std::string(prefix)}, {"Index", std::to_string(start + i)}, {"Domain", domain}};
    auto hostname = RenderTemplate(hostname_template, fields);
    if (!hostname.ok()) {
      reader.AddError(key + ".Hostname", std::string(hostname.status().message()));
      return;
    }
    NodeSpec spec;
    spec.hostname = *std::move(hostname);
    RenderNodeSpec(reader, key, domain, raw_sans, &spec);
    out->emplace_back(key, std::move(spec));
  }
}

OrgSpec ReadOrg(Reader& reader, const std::string& key, OrgKind kind) {
  OrgSpec org;
  reader.ReadString(key + ".Name", &org.name);
  reader.ReadString(key + ".Domain", &org.domain, Need::kRequired);
  reader.ReadBool(key + ".EnableNodeOUs", &org.enable_node_ous);
  if (org.domain.empty()) return org;  // already reported; every name below derives from it
  CheckFolderName(reader, key + ".Domain", org.domain);

  std::vector<std::string> ca_sans;
  ReadNodeSpec(reader, key + ".CA", Need::kOptional, &org.ca, &ca_sans);
  if (org.ca.hostname.empty()) org.ca.hostname = kDefaultCaHostname;
  RenderNodeSpec(reader, key + ".CA", org.domain, ca_sans, &org.ca);

  // Each node with the key it came from, for messages about duplicates.
  std::vector<std::pair<std::string, NodeSpec>> nodes;
  const size_t spec_count = reader.ListSize(key + ".Specs");
  for (size_t i = 0; i < spec_count; ++i) {
    const std::string spec_key = fmt::format("{}.Specs[{}]", key, i);
    NodeSpec spec;
    std::vector<std::string> raw_sans;
    ReadNodeSpec(reader, spec_key, Need::kRequired, &spec, &raw_sans);
    if (spec.hostname.empty()) continue;
    RenderNodeSpec(reader, spec_key, org.domain, raw_sans, &spec);
    nodes.emplace_back(spec_key, std::move(spec));
  }
  ExpandTemplate(reader, key + ".Template", org.domain, kind == OrgKind::kPeer ? "peer" : "orderer",
                 &nodes);
  if (kind == OrgKind::kPeer) reader.ReadInt(key + ".Users.Count", &org.user_count, 0, 10000);

  std::map<std::string, std::string, std::less<>> hostnames;
  std::map<std::string, std::string, std::less<>> common_names;
  for (auto& [node_key, spec] : nodes) {
    CheckFolderName(reader, node_key + ".Hostname", spec.hostname);
    auto [host, new_host] = hostnames.emplace(spec.hostname, node_key);
    auto [cn, new_cn] = common_names.emplace(spec.common_name, node_key);
    if (!new_host) {
      reader.AddError(node_key + ".Hostname",
                      fmt::format("host name '{}' is already used by {} in organisation {}",
                                  spec.hostname, host->second, org.domain));
    } else if (!new_cn) {
      reader.AddError(node_key + ".CommonName",
                      fmt::format("common name '{}' is already used by {} in organisation {}",
                                  spec.common_name, cn->second, org.domain));
    }
    org.nodes.push_back(std::move(spec));
  }
  return org;
}

// Two organisations of one list with one domain would write into the same folder.
void CheckUniqueDomains(Reader& reader, const std::vector<OrgSpec>& orgs, std::string_view list) {
  std::map<std::string, size_t, std::less<>> seen;
  for (size_t i = 0; i < orgs.size(); ++i) {
    if (orgs[i].domain.empty()) continue;
    auto [first, inserted] = seen.emplace(orgs[i].domain, i);
    if (!inserted) {
      reader.AddError(fmt::format("{}[{}].Domain", list, i),
                      fmt::format("domain '{}' is already used by {}[{}]", orgs[i].domain, list,
                                  first->second));
    }
  }
}

[[nodiscard]] StatusOr<LoadedCryptoConfig> ReadConfig(Reader reader) {
  LoadedCryptoConfig loaded;
  for (const auto& [list, kind, orgs] :
       {std::tuple{"OrdererOrgs", OrgKind::kOrderer, &loaded.config.orderer_orgs},
        std::tuple{"PeerOrgs", OrgKind::kPeer, &loaded.config.peer_orgs}}) {
    const size_t count = reader.ListSize(list);
    for (size_t i = 0; i < count; ++i) {
      const std::string key = fmt::format("{}[{}]", list, i);
      orgs->push_back(ReadOrg(reader, key, kind));
      // Weft's certificate names have no street address or postal code.
      for (const auto& [field, value] :
           {std::pair{"StreetAddress", &orgs->back().ca.street_address},
            std::pair{"PostalCode", &orgs->back().ca.postal_code}}) {
        if (value->empty()) continue;
        loaded.warnings.push_back(
            fmt::format("{}: {}.CA.{}: not written into certificates, ignored", reader.file_name(),
                        key, field));
      }
    }
    CheckUniqueDomains(reader, *orgs, list);
  }
  WEFT_RETURN_IF_ERROR(reader.Finish());
  for (const std::string& key : reader.UnknownKeys()) {
    loaded.warnings.push_back(fmt::format("{}: {}: unknown key, ignored", reader.file_name(), key));
  }
  return loaded;
}

}  // namespace

[[nodiscard]] StatusOr<LoadedCryptoConfig> LoadCryptoConfig(const std::filesystem::path& file) {
  WEFT_ASSIGN_OR_RETURN(Reader reader, Reader::Open(file, "", {}));
  return ReadConfig(std::move(reader));
}

[[nodiscard]] StatusOr<LoadedCryptoConfig> ParseCryptoConfig(
    std::string_view yaml, const std::filesystem::path& file_name) {
  WEFT_ASSIGN_OR_RETURN(Reader reader, Reader::Parse(yaml, file_name, "", {}));
  return ReadConfig(std::move(reader));
}

}  // namespace weft::tools::cryptogen
