// The peer's store of installed chaincode packages, as Fabric's persistence.Store
// (release-2.5 core/chaincode/persistence/persistence.go): each package is kept
// byte for byte as `<label>.<hex hash>.tar.gz` in one folder, by default
// `<peer.fileSystemPath>/lifecycle/chaincodes`. Files are written to a temporary
// name and renamed, so a crash never leaves a partial package under a real name.
//
// Thread-safety: PackageStore is thread-safe (each call works on whole files).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status/status.h"
#include "peer/chaincode_package/package.h"

namespace weft::peer::chaincode_package {

// Where Fabric's peer keeps installed packages under peer.fileSystemPath.
std::filesystem::path InstallDir(const std::filesystem::path& file_system_path);

// persistence.CCFileName: the package ID with its first ':' replaced by '.', + ".tar.gz".
std::string PackageFileName(std::string_view package_id);

// chaincode.InstalledChaincode.
struct InstalledPackage {
  std::string package_id;
  std::string label;
  std::string hash;  // raw 32 bytes
};

struct SaveResult {
  std::string package_id;
  bool already_saved = false;  // the same bytes were in the store before
};

class PackageStore {
 public:
  // Creates `dir` (0750, as Fabric) when missing, and removes the temporary files of
  // saves a crash interrupted.
  [[nodiscard]] static StatusOr<std::unique_ptr<PackageStore>> Open(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return dir_; }

  // Stores the package bytes under their package ID and returns it. Saving bytes that
  // are already there is not an error (Fabric's Store.Save), but says so.
  [[nodiscard]] StatusOr<SaveResult> Save(std::string_view label, std::string_view package_bytes);

  // What _lifecycle's InstallChaincode does before building: parse the package (errors
  // prefixed "could not parse as a chaincode install package: "), then save it.
  // AlreadyExists with Fabric's message "chaincode already successfully installed
  // (package ID '<id>')" when the package is already in the store. (Fabric keeps the
  // package only once its build succeeded, so a stored package is an installed one;
  // the caller builds after Install and calls Delete when the build fails.)
  [[nodiscard]] StatusOr<std::string> Install(std::string_view package_bytes,
                                              const ParseLimits& limits = {});

  // The package bytes; NotFound "chaincode install package '<id>' not found" when
  // absent or when the ID is not a well-formed package ID.
  [[nodiscard]] StatusOr<std::string> Load(std::string_view package_id) const;

  // Load, then ParsePackage.
  [[nodiscard]] StatusOr<ChaincodePackage> LoadParsed(std::string_view package_id) const;

  // Every file named like a package, in file-name order (Fabric lists the folder).
  [[nodiscard]] StatusOr<std::vector<InstalledPackage>> ListInstalled() const;

  // Removes the package; NotFound when it is not there.
  [[nodiscard]] Status Delete(std::string_view package_id);

 private:
  explicit PackageStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path dir_;
};

}  // namespace weft::peer::chaincode_package
