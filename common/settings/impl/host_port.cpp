#include "common/settings/host_port.h"

#include <fmt/format.h>

namespace weft::common::settings {
namespace {

[[nodiscard]] Status BadAddress(std::string_view address, std::string_view why) {
  return absl::InvalidArgumentError(fmt::format("address '{}': {}", address, why));
}

}  // namespace

[[nodiscard]] StatusOr<HostPort> SplitHostPort(std::string_view address) {
  HostPort parsed;
  std::string_view host;
  std::string_view port;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == std::string_view::npos) return BadAddress(address, "missing ']'");
    if (close + 1 == address.size()) return BadAddress(address, "missing port");
    if (address[close + 1] != ':') return BadAddress(address, "unexpected text after ']'");
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) return BadAddress(address, "missing port");
    host = address.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return BadAddress(address, "too many colons (write an IPv6 host in brackets)");
    }
    port = address.substr(colon + 1);
  }
  if (host.find_first_of("[]") != std::string_view::npos) {
    return BadAddress(address, "unexpected bracket");
  }
  unsigned value = 0;
  bool numeric = !port.empty() && port.size() <= 5;
  for (char c : port) {
    numeric = numeric && c >= '0' && c <= '9';
    if (numeric) value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (!numeric || value > 65535) {
    return BadAddress(address, fmt::format("port '{}' is not a number from 0 to 65535", port));
  }
  parsed.host = std::string(host);
  parsed.port = static_cast<uint16_t>(value);
  return parsed;
}

std::string JoinHostPort(std::string_view host, int port) {
  if (host.find(':') != std::string_view::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

}  // namespace weft::common::settings
