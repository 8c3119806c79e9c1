// The one parser of "host:port" endpoint addresses, following Go's net.SplitHostPort
// (which Fabric uses): an IPv6 host is written in brackets ("[::1]:7050"), the host may be
// empty (":7050", every interface). Unlike Go, the port must be a decimal number from 0 to
// 65535, since every Weft address is dialled or bound.
// Thread-safety: stateless functions, safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status/status.h"

namespace weft::common::settings {

struct HostPort {
  std::string host;  // without brackets: "::1", "127.0.0.1", "orderer.example.com", ""
  uint16_t port = 0;
};

// InvalidArgument naming `address` and what is wrong with it (missing port, too many
// colons, unbalanced brackets, port not a number from 0 to 65535).
[[nodiscard]] StatusOr<HostPort> SplitHostPort(std::string_view address);

// "host:port", with the host in brackets when it contains a colon (IPv6).
std::string JoinHostPort(std::string_view host, int port);

}  // namespace weft::common::settings
