#include "peer/chaincode_package/archive_writer.h"

#include <absl/strings/str_cat.h>
#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace weft::peer::chaincode_package {
namespace {

std::string ArchiveError(struct archive* archive) {
  const char* text = archive_error_string(archive);
  return text != nullptr ? text : "unknown libarchive error";
}

la_ssize_t AppendToString(struct archive* /*archive*/, void* client, const void* buffer,
                          size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

struct WriteDeleter {
  void operator()(struct archive* archive) const { archive_write_free(archive); }
};
struct EntryDeleter {
  void operator()(struct archive_entry* entry) const { archive_entry_free(entry); }
};

}  // namespace

[[nodiscard]] StatusOr<std::string> WriteTarGz(const std::vector<ArchiveFile>& files) {
  std::string out;
  std::unique_ptr<struct archive, WriteDeleter> archive(archive_write_new());
  if (archive == nullptr) return absl::InternalError("cannot allocate a tar writer");
  struct archive* a = archive.get();
  // No blocking: Go's tar.Writer ends with the two zero blocks, no record padding.
  if (archive_write_set_format_ustar(a) != ARCHIVE_OK ||
      archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
      archive_write_set_options(a, "gzip:!timestamp") != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
      archive_write_open(a, &out, nullptr, AppendToString, nullptr) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("cannot start a tar.gz: ", ArchiveError(a)));
  }
  for (const ArchiveFile& file : files) {
    std::unique_ptr<struct archive_entry, EntryDeleter> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), file.name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), file.mode & 07777);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(file.content.size()));
    archive_entry_set_uid(entry.get(), file.uid);
    archive_entry_set_gid(entry.get(), file.gid);
    archive_entry_set_mtime(entry.get(), 0, 0);
    if (archive_write_header(a, entry.get()) != ARCHIVE_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("failed to write header for ", file.name, ": ", ArchiveError(a)));
    }
    if (!file.content.empty() && archive_write_data(a, file.content.data(), file.content.size()) !=
                                     static_cast<la_ssize_t>(file.content.size())) {
      return absl::InternalError(
          absl::StrCat("failed to write ", file.name, ": ", ArchiveError(a)));
    }
  }
  if (archive_write_close(a) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("failed to create tar: ", ArchiveError(a)));
  }
  return out;
}

}  // namespace weft::peer::chaincode_package
