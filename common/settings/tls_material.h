// Resolves the file-or-contents fields of TlsSettings into PEM text, so every TLS
// consumer (gRPC servers and channels, HTTP listeners) reads its material one way.
// Thread-safety: stateless functions, safe from any thread.
#pragma once

#include <string>

#include "common/settings/settings.h"
#include "common/status/status.h"

namespace weft::common::settings {

// PEM text of each piece of TlsSettings; "" where nothing is configured.
struct TlsMaterial {
  std::string certificate;      // own certificate chain
  std::string private_key;      // own private key
  std::string root_cas;         // bundle of the trusted server CAs
  std::string client_root_cas;  // bundle of the trusted client CAs
};

// Contents win over files; CA bundles hold the given contents, then every file's blocks.
// NotFound names a file that cannot be read, InvalidArgument a file without a PEM block.
[[nodiscard]] StatusOr<TlsMaterial> LoadTlsMaterial(const TlsSettings& tls);

}  // namespace weft::common::settings
