// Small file helpers shared by the writers; errors name the path.
// Thread-safety: stateless.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/crypto/ecdsa.h"
#include "common/crypto/x509.h"
#include "common/status/status.h"

namespace weft::tools::cryptogen::impl {

// Creates `dir` and its parents when missing.
[[nodiscard]] Status MakeDirectories(const std::filesystem::path& dir);

// Replaces `path` with `contents`; the file is readable by anyone.
[[nodiscard]] Status WriteFile(const std::filesystem::path& path, std::string_view contents);

// Writes `key` as PKCS#8 PEM readable only by its owner (0600).
[[nodiscard]] Status WritePrivateKey(const std::filesystem::path& path,
                                     const common::crypto::PrivateKey& key);

[[nodiscard]] Status WriteCertificate(const std::filesystem::path& path,
                                      const common::crypto::Certificate& certificate);

// "<name>-cert.pem", the file name Fabric gives the certificate of `name`.
std::string CertificateFileName(std::string_view name);

}  // namespace weft::tools::cryptogen::impl
