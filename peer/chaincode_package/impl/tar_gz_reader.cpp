#include "peer/chaincode_package/impl/tar_gz_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

namespace weft::peer::chaincode_package::impl {
namespace {

std::string ArchiveError(struct archive* archive) {
  const char* text = archive_error_string(archive);
  return text != nullptr ? text : "unknown libarchive error";
}

char Typeflag(mode_t type) {
  switch (type) {
    case AE_IFREG:
      return '0';
    case AE_IFLNK:
      return '2';
    case AE_IFCHR:
      return '3';
    case AE_IFBLK:
      return '4';
    case AE_IFDIR:
      return '5';
    case AE_IFIFO:
      return '6';
    default:
      return '?';
  }
}

std::string KindName(mode_t type) {
  switch (type) {
    case AE_IFREG:
      return "regular file";
    case AE_IFDIR:
      return "directory";
    case AE_IFLNK:
      return "symbolic link";
    case AE_IFCHR:
      return "character device";
    case AE_IFBLK:
      return "block device";
    case AE_IFIFO:
      return "fifo";
    case AE_IFSOCK:
      return "socket";
    default:
      return "unknown type";
  }
}

}  // namespace

StatusOr<std::unique_ptr<TarGzReader>> TarGzReader::Open(std::string_view bytes) {
  // The 10-byte member header is checked here, as Go's gzip.NewReader does, because
  // libarchive would also read an uncompressed tar, which Fabric rejects.
  auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (bytes.size() < 10 || byte(0) != 0x1f || byte(1) != 0x8b || byte(2) != 8 ||
      (byte(3) & 0xe0) != 0) {
    return absl::InvalidArgumentError("error reading as gzip stream: gzip: invalid header");
  }
  struct archive* archive = archive_read_new();
  if (archive == nullptr) return absl::ResourceExhaustedError("cannot allocate a tar reader");
  auto reader = std::unique_ptr<TarGzReader>(new TarGzReader(archive));
  if (archive_read_support_filter_gzip(archive) != ARCHIVE_OK ||
      archive_read_support_format_tar(archive) != ARCHIVE_OK ||
      archive_read_support_format_empty(archive) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("cannot set up libarchive: ", ArchiveError(archive)));
  }
  // libarchive looks at the first tar header while opening.
  if (archive_read_open_memory(archive, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("error inspecting next tar header: ", ArchiveError(archive)));
  }
  return reader;
}

TarGzReader::~TarGzReader() { archive_read_free(archive_); }

StatusOr<std::optional<TarEntry>> TarGzReader::Next() {
  struct archive_entry* entry = nullptr;
  int result = archive_read_next_header(archive_, &entry);
  if (result == ARCHIVE_EOF) return std::optional<TarEntry>();
  if (result < ARCHIVE_WARN || entry == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("error inspecting next tar header: ", ArchiveError(archive_)));
  }
  TarEntry out;
  const char* name = archive_entry_pathname(entry);
  out.name = name != nullptr ? name : "";
  const mode_t type = archive_entry_filetype(entry);
  if (archive_entry_hardlink(entry) != nullptr) {
    out.kind_name = "hard link";
    out.typeflag = '1';
  } else {
    out.typeflag = Typeflag(type);
    out.kind_name = KindName(type);
    if (type == AE_IFREG) out.kind = TarEntry::Kind::kRegular;
    if (type == AE_IFDIR) out.kind = TarEntry::Kind::kDirectory;
  }
  out.size = archive_entry_size(entry);
  out.mode = static_cast<uint32_t>(archive_entry_perm(entry));
  current_ = out.name;
  return std::optional<TarEntry>(std::move(out));
}

StatusOr<size_t> TarGzReader::ReadChunk(char* buffer, size_t size) {
  la_ssize_t count = archive_read_data(archive_, buffer, size);
  if (count < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("could not read ", current_, " from tar: ", ArchiveError(archive_)));
  }
  total_read_ += static_cast<uint64_t>(count);
  return static_cast<size_t>(count);
}

StatusOr<std::string> TarGzReader::ReadAll(uint64_t max_bytes) {
  std::string data;
  WEFT_RETURN_IF_ERROR(ReadData(max_bytes, [&](std::string_view chunk) {
    data.append(chunk);
    return Status();
  }));
  return data;
}

}  // namespace weft::peer::chaincode_package::impl
