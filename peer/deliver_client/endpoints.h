// Which orderers a peer pulls a channel's blocks from, and with which TLS CAs, as
// Fabric's peer decides it (internal/pkg/peer/orderers/connection.go, Update):
// - when any orderer organisation of the channel config lists OrdererEndpoints, only
//   those are used, each with the TLS root + intermediate CAs of its own organisation,
//   and the global OrdererAddresses are ignored;
// - otherwise the global OrdererAddresses are used, trusting the TLS CAs of every
//   orderer organisation;
// - peer.deliveryclient.addressOverrides replaces an address (from -> to) and, for that
//   endpoint, the CAs by the override's caCertsFile (none when it names no file).
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/config/peer_config.h"

namespace weft::peer::deliver_client {

struct OrdererEndpoint {
  std::string address;                // host:port
  std::vector<std::string> root_cas;  // PEM certificates trusted for this endpoint's TLS
  bool operator==(const OrdererEndpoint&) const = default;
};

// peer.deliveryclient.addressOverrides keyed by `from`.
struct AddressOverride {
  std::string to;
  std::vector<std::string> root_cas;  // PEM; empty when no caCertsFile was given
};
using AddressOverrides = std::map<std::string, AddressOverride>;

// Reads each override's caCertsFile. As Fabric's LoadOverridesMap, an override whose file
// cannot be read or holds no certificate is skipped with a warning (appended to
// `warnings`) rather than failing the peer.
AddressOverrides LoadAddressOverrides(
    const std::vector<common::config::OrdererAddressOverride>& overrides,
    std::vector<std::string>* warnings);

// The endpoints of `config`'s orderers with `overrides` applied, in config order
// (organisations by name); the caller shuffles. Empty when the config names none.
std::vector<OrdererEndpoint> ChannelOrdererEndpoints(
    const common::channelconfig::ChannelConfig& config, const AddressOverrides& overrides);

}  // namespace weft::peer::deliver_client
