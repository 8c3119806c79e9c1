#include "tools/cryptogen/impl/files.h"

#include <fstream>

#include "fmt/format.h"

namespace weft::tools::cryptogen::impl {

namespace fs = std::filesystem;

[[nodiscard]] Status MakeDirectories(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return absl::PermissionDeniedError(
        fmt::format("cannot create folder {}: {}", dir.string(), error.message()));
  }
  return absl::OkStatus();
}

[[nodiscard]] Status WriteFile(const fs::path& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return absl::PermissionDeniedError(fmt::format("cannot write {}", path.string()));
  return absl::OkStatus();
}

[[nodiscard]] Status WritePrivateKey(const fs::path& path, const common::crypto::PrivateKey& key) {
  // Restrict the file before the key goes in, so it is never readable by others.
  WEFT_RETURN_IF_ERROR(WriteFile(path, ""));
  std::error_code error;
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, error);
  if (error) {
    return absl::PermissionDeniedError(
        fmt::format("cannot restrict permissions of {}: {}", path.string(), error.message()));
  }
  return WriteFile(path, key.ToPem());
}

[[nodiscard]] Status WriteCertificate(const fs::path& path,
                                      const common::crypto::Certificate& certificate) {
  return WriteFile(path, certificate.ToPem());
}

std::string CertificateFileName(std::string_view name) { return fmt::format("{}-cert.pem", name); }

}  // namespace weft::tools::cryptogen::impl
