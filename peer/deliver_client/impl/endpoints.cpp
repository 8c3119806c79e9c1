#include "peer/deliver_client/endpoints.h"

#include <fstream>
#include <sstream>

#include "common/crypto/x509.h"
#include "fmt/format.h"

namespace weft::peer::deliver_client {
namespace {

// The TLS CAs an orderer organisation's MSP lists: roots then intermediates, as the
// peer collects them for its orderer connection source.
std::vector<std::string> OrgTlsCas(const common::channelconfig::Organization& org) {
  std::vector<std::string> pems;
  if (org.msp == nullptr) return pems;
  for (const auto& cert : org.msp->config().tls_root_certs) pems.push_back(cert.ToPem());
  for (const auto& cert : org.msp->config().tls_intermediate_certs) pems.push_back(cert.ToPem());
  return pems;
}

OrdererEndpoint Resolve(const std::string& address, const std::vector<std::string>& cas,
                        const AddressOverrides& overrides) {
  if (auto it = overrides.find(address); it != overrides.end()) {
    return {it->second.to, it->second.root_cas};
  }
  return {address, cas};
}

}  // namespace

AddressOverrides LoadAddressOverrides(
    const std::vector<common::config::OrdererAddressOverride>& overrides,
    std::vector<std::string>* warnings) {
  AddressOverrides loaded;
  for (const auto& override : overrides) {
    AddressOverride entry{override.to, {}};
    if (!override.ca_certs_file.empty()) {
      std::ifstream in(override.ca_certs_file, std::ios::binary);
      std::ostringstream text;
      if (in) text << in.rdbuf();
      auto certs = common::crypto::Certificate::AllFromPem(text.str());
      if (!in || !certs.ok()) {
        if (warnings != nullptr) {
          warnings->push_back(fmt::format(
              "could not read certificates from caCertsFile '{}' of orderer endpoint override "
              "from '{}' to '{}'; override ignored",
              override.ca_certs_file.string(), override.from, override.to));
        }
        continue;
      }
      for (const auto& cert : *certs) entry.root_cas.push_back(cert.ToPem());
    }
    loaded[override.from] = std::move(entry);
  }
  return loaded;
}

std::vector<OrdererEndpoint> ChannelOrdererEndpoints(
    const common::channelconfig::ChannelConfig& config, const AddressOverrides& overrides) {
  std::vector<OrdererEndpoint> endpoints;
  std::vector<std::string> all_cas;
  if (config.orderer().has_value()) {
    for (const auto& [name, org] : config.orderer()->organizations) {
      const std::vector<std::string> cas = OrgTlsCas(org);
      all_cas.insert(all_cas.end(), cas.begin(), cas.end());
      for (const auto& address : org.orderer_endpoints) {
        endpoints.push_back(Resolve(address, cas, overrides));
      }
    }
  }
  // Per-organisation endpoints win; the global addresses only serve configs without any.
  if (!endpoints.empty()) return endpoints;
  for (const auto& address : config.orderer_addresses()) {
    endpoints.push_back(Resolve(address, all_cas, overrides));
  }
  return endpoints;
}

}  // namespace weft::peer::deliver_client
