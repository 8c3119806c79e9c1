// Sequential reading of a gzip-compressed tar held in memory, over libarchive (the
// only user of libarchive in Weft). Only gzip input is accepted, as Go's
// gzip.NewReader in Fabric; the tar may be ustar, pax or GNU.
// Thread-safety: one reader per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status/status.h"

struct archive;

namespace weft::peer::chaincode_package::impl {

struct TarEntry {
  enum class Kind { kRegular, kDirectory, kOther };
  std::string name;
  Kind kind = Kind::kOther;
  std::string kind_name;  // "regular file", "directory", "symbolic link", "hard link", ...
  // The tar typeflag the kind is written with ('0' regular, '1' hard link, '2' symbolic
  // link, '5' directory, ...): Fabric's messages print it as a number (Go's %v of a byte).
  char typeflag = '0';
  int64_t size = 0;
  uint32_t mode = 0;  // permission bits
};

class TarGzReader {
 public:
  // InvalidArgument "error reading as gzip stream: ..." when `bytes` does not start
  // with a gzip header, "error inspecting next tar header: ..." when what it holds is
  // not a tar.
  // `bytes` must outlive the reader.
  [[nodiscard]] static StatusOr<std::unique_ptr<TarGzReader>> Open(std::string_view bytes);
  ~TarGzReader();
  TarGzReader(const TarGzReader&) = delete;
  TarGzReader& operator=(const TarGzReader&) = delete;

  // The next entry, nullopt at the end; InvalidArgument "error inspecting next tar
  // header: ..." for a corrupt or non-tar stream.
  [[nodiscard]] StatusOr<std::optional<TarEntry>> Next();

  // Calls `sink` with consecutive chunks of the current entry's data. Fails with
  // InvalidArgument when the data exceeds `max_bytes` (counted as read, whatever the
  // header claims) or is corrupt; a non-OK status from `sink` is returned as is.
  template <typename Sink>
  [[nodiscard]] Status ReadData(uint64_t max_bytes, Sink&& sink);

  // The whole current entry, at most `max_bytes`.
  [[nodiscard]] StatusOr<std::string> ReadAll(uint64_t max_bytes);

  // Bytes of entry data read so far over all entries.
  uint64_t total_read() const { return total_read_; }

 private:
  explicit TarGzReader(struct archive* archive) : archive_(archive) {}
  // One chunk of the current entry: its size, 0 at its end, or an error.
  [[nodiscard]] StatusOr<size_t> ReadChunk(char* buffer, size_t size);

  struct archive* archive_;
  std::string current_;
  uint64_t total_read_ = 0;
};

template <typename Sink>
Status TarGzReader::ReadData(uint64_t max_bytes, Sink&& sink) {
  char buffer[64 * 1024];
  uint64_t read = 0;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(size_t count, ReadChunk(buffer, sizeof(buffer)));
    if (count == 0) return Status();
    read += count;
    if (read > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("tar entry ", current_, " is larger than ", max_bytes, " bytes"));
    }
    WEFT_RETURN_IF_ERROR(sink(std::string_view(buffer, count)));
  }
}

}  // namespace weft::peer::chaincode_package::impl
