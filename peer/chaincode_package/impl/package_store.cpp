#include "peer/chaincode_package/package_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>
#include <system_error>

#include "common/crypto/hash.h"

namespace weft::peer::chaincode_package {
namespace {

namespace fs = std::filesystem;

[[nodiscard]] Status NotFound(std::string_view package_id) {
  // persistence.CodePackageNotFoundErr's message.
  return absl::NotFoundError(
      absl::StrCat("chaincode install package '", std::string(package_id), "' not found"));
}

// FilesystemIO.WriteFile: a temporary file in the same folder, renamed into place.
[[nodiscard]] Status WriteAtomically(const fs::path& dir, const std::string& name,
                                     std::string_view data) {
  std::string pattern = (dir / ".ccpackage.XXXXXX").string();
  int fd = mkstemp(pattern.data());
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("error creating temp file in directory '", dir.string(),
                                            "': ", std::strerror(errno)));
  }
  Status status;
  for (size_t written = 0; written < data.size() && status.ok();) {
    ssize_t count = write(fd, data.data() + written, data.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) {
      status = absl::InternalError(
          absl::StrCat("error writing to temp file '", pattern, "': ", std::strerror(errno)));
    } else {
      written += static_cast<size_t>(count);
    }
  }
  if (status.ok() && fsync(fd) != 0) {
    status = absl::InternalError(
        absl::StrCat("error syncing temp file '", pattern, "': ", std::strerror(errno)));
  }
  if (close(fd) != 0 && status.ok()) {
    status = absl::InternalError(
        absl::StrCat("error closing temp file '", pattern, "': ", std::strerror(errno)));
  }
  if (status.ok() && std::rename(pattern.c_str(), (dir / name).c_str()) != 0) {
    status = absl::InternalError(
        absl::StrCat("error renaming temp file '", pattern, "': ", std::strerror(errno)));
  }
  if (!status.ok()) unlink(pattern.c_str());
  return status;
}

}  // namespace

fs::path InstallDir(const fs::path& file_system_path) {
  return file_system_path / "lifecycle" / "chaincodes";
}

std::string PackageFileName(std::string_view package_id) {
  std::string name(package_id);
  size_t colon = name.find(':');
  if (colon != std::string::npos) name[colon] = '.';
  return name + ".tar.gz";
}

StatusOr<std::unique_ptr<PackageStore>> PackageStore::Open(fs::path dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return absl::InternalError(absl::StrCat("could not create _lifecycle chaincodes install path '",
                                            dir.string(), "': ", error.message()));
  }
  fs::permissions(dir, fs::perms(0750), error);
  if (!fs::is_directory(dir)) {
    return absl::InternalError(absl::StrCat("'", dir.string(), "' is not a directory"));
  }
  // Temporary files of saves a crash interrupted (nothing saves before Open returns).
  std::vector<fs::path> partial;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (it->path().filename().string().rfind(".ccpackage.", 0) == 0) partial.push_back(it->path());
  }
  for (const fs::path& path : partial) fs::remove(path, error);
  return std::unique_ptr<PackageStore>(new PackageStore(std::move(dir)));
}

StatusOr<SaveResult> PackageStore::Save(std::string_view label, std::string_view package_bytes) {
  WEFT_RETURN_IF_ERROR(ValidateLabel(label));
  SaveResult result;
  result.package_id = PackageId(label, package_bytes);
  const std::string name = PackageFileName(result.package_id);
  std::error_code error;
  if (fs::exists(dir_ / name, error)) {
    result.already_saved = true;
    return result;
  }
  Status written = WriteAtomically(dir_, name, package_bytes);
  if (!written.ok()) {
    return Annotate(written, absl::StrCat("error writing chaincode install package to ",
                                          (dir_ / name).string()));
  }
  return result;
}

StatusOr<std::string> PackageStore::Install(std::string_view package_bytes,
                                            const ParseLimits& limits) {
  StatusOr<ChaincodePackage> package = ParsePackage(package_bytes, limits);
  if (!package.ok()) {
    return Annotate(package.status(), "could not parse as a chaincode install package");
  }
  StatusOr<SaveResult> saved = Save(package->metadata.label, package_bytes);
  if (!saved.ok()) return Annotate(saved.status(), "could not save cc install package");
  if (saved->already_saved) {
    // _lifecycle's InstallChaincode message (core/chaincode/lifecycle/lifecycle.go).
    return absl::AlreadyExistsError(absl::StrCat(
        "chaincode already successfully installed (package ID '", saved->package_id, "')"));
  }
  return saved->package_id;
}

StatusOr<std::string> PackageStore::Load(std::string_view package_id) const {
  if (!ParsePackageId(package_id).ok()) return NotFound(package_id);
  const fs::path path = dir_ / PackageFileName(package_id);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code error;
    if (!fs::exists(path, error)) return NotFound(package_id);
    return absl::InternalError(
        absl::StrCat("error reading chaincode install package at ", path.string()));
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return absl::InternalError(
        absl::StrCat("error reading chaincode install package at ", path.string()));
  }
  return bytes;
}

StatusOr<ChaincodePackage> PackageStore::LoadParsed(std::string_view package_id) const {
  WEFT_ASSIGN_OR_RETURN(std::string bytes, Load(package_id));
  StatusOr<ChaincodePackage> package = ParsePackage(bytes);
  if (!package.ok()) {
    return Annotate(package.status(), absl::StrCat("installed package '", std::string(package_id),
                                                   "' does not parse"));
  }
  return package;
}

StatusOr<std::vector<InstalledPackage>> PackageStore::ListInstalled() const {
  // persistence.packageFileMatcher.
  static const std::regex kPackageFile("^(.+)[.]([0-9a-f]{64})[.]tar[.]gz$");
  std::error_code error;
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir_, error), end; !error && it != end; it.increment(error)) {
    names.push_back(it->path().filename().string());
  }
  if (error) {
    return absl::InternalError(absl::StrCat("error reading chaincode directory at ", dir_.string(),
                                            ": ", error.message()));
  }
  std::sort(names.begin(), names.end());
  std::vector<InstalledPackage> installed;
  for (const std::string& name : names) {
    std::smatch match;
    if (!std::regex_match(name, match, kPackageFile)) continue;
    InstalledPackage package;
    package.label = match[1].str();
    package.package_id = absl::StrCat(package.label, ":", match[2].str());
    StatusOr<PackageIdParts> parts = ParsePackageId(package.package_id);
    if (!parts.ok()) continue;  // a label Fabric could never have written
    package.hash = parts->hash;
    installed.push_back(std::move(package));
  }
  return installed;
}

Status PackageStore::Delete(std::string_view package_id) {
  if (!ParsePackageId(package_id).ok()) return NotFound(package_id);
  const fs::path path = dir_ / PackageFileName(package_id);
  if (unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return NotFound(package_id);
    return absl::InternalError(
        absl::StrCat("could not remove '", path.string(), "': ", std::strerror(errno)));
  }
  return Status();
}

}  // namespace weft::peer::chaincode_package
