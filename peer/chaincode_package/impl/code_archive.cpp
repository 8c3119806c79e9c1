#include "peer/chaincode_package/code_archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "peer/chaincode_package/impl/tar_gz_reader.h"

namespace weft::peer::chaincode_package {
namespace {

namespace fs = std::filesystem;

// Creates `relative` under `root` one component at a time, refusing to pass through
// anything that is not a real directory (a symbolic link planted by an earlier entry
// cannot exist, as only files and directories are extracted, but this does not rely
// on that).
[[nodiscard]] Status MakeDirectories(const fs::path& root, const fs::path& relative) {
  fs::path current = root;
  for (const fs::path& part : relative) {
    current /= part;
    if (mkdir(current.c_str(), 0700) == 0) continue;
    if (errno != EEXIST) {
      return absl::InternalError(absl::StrCat("could not create directory '", current.string(),
                                              "': ", std::strerror(errno)));
    }
    struct stat info;
    if (lstat(current.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "could not create directory '", current.string(), "': a non-directory is in the way"));
    }
  }
  return Status();
}

}  // namespace

bool ValidArchivePath(std::string_view path) {
  fs::path clean = fs::path(std::string(path)).lexically_normal();
  if (clean.is_absolute() || path.empty()) return false;
  auto first = clean.begin();
  return first == clean.end() || *first != "..";
}

[[nodiscard]] Status ExtractTarGz(std::string_view archive, const fs::path& destination,
                                  const ExtractLimits& limits) {
  WEFT_ASSIGN_OR_RETURN(auto reader, impl::TarGzReader::Open(archive));
  uint64_t entries = 0;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(std::optional<impl::TarEntry> entry, reader->Next());
    if (!entry) return Status();
    if (++entries > limits.max_entries) {
      return absl::InvalidArgumentError(
          absl::StrCat("archive has more than ", limits.max_entries, " entries"));
    }
    // externalbuilder.Untar's messages.
    if (!ValidArchivePath(entry->name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("tar contains the absolute or escaping path '", entry->name, "'"));
    }
    fs::path relative = fs::path(entry->name).lexically_normal();
    if (!relative.empty() && !relative.has_filename()) relative = relative.parent_path();
    switch (entry->kind) {
      case impl::TarEntry::Kind::kDirectory:
        WEFT_RETURN_IF_ERROR(MakeDirectories(destination, relative));
        break;
      case impl::TarEntry::Kind::kRegular: {
        if (relative.empty() || relative == ".") {
          return absl::InvalidArgumentError(
              absl::StrCat("tar entry '", entry->name, "' names no file"));
        }
        WEFT_RETURN_IF_ERROR(MakeDirectories(destination, relative.parent_path()));
        const fs::path target = destination / relative;
        const mode_t mode = (entry->mode & 0755) | 0600;
        int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0) {
          return absl::InternalError(
              absl::StrCat("could not create file '", entry->name, "': ", std::strerror(errno)));
        }
        const uint64_t left =
            limits.max_total_bytes - std::min(limits.max_total_bytes, reader->total_read());
        Status copied = reader->ReadData(
            std::min(limits.max_entry_bytes, left), [&](std::string_view chunk) -> Status {
              while (!chunk.empty()) {
                ssize_t written = write(fd, chunk.data(), chunk.size());
                if (written < 0 && errno == EINTR) continue;
                if (written <= 0) {
                  return absl::InternalError(absl::StrCat("could not write file '", entry->name,
                                                          "': ", std::strerror(errno)));
                }
                chunk.remove_prefix(static_cast<size_t>(written));
              }
              return Status();
            });
        // O_CREAT's mode is filtered by the umask; the permission bits are part of
        // what a package says (an executable stays executable).
        if (copied.ok() && fchmod(fd, mode) != 0) {
          copied = absl::InternalError(absl::StrCat("could not set the mode of '", entry->name,
                                                    "': ", std::strerror(errno)));
        }
        close(fd);
        WEFT_RETURN_IF_ERROR(copied);
        break;
      }
      case impl::TarEntry::Kind::kOther:
        // externalbuilder.Untar's message (the typeflag as a number), then the kind.
        return absl::InvalidArgumentError(absl::StrCat(
            "invalid file type '", static_cast<int>(entry->typeflag),
            "' contained in archive for file '", entry->name, "' (", entry->kind_name, ")"));
    }
  }
}

}  // namespace weft::peer::chaincode_package
