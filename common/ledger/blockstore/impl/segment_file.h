// Block file segments: record framing, appending, reading and scanning.
// Record = u32 LE payload length | u32 LE CRC-32C(length bytes || payload) | payload.
// Thread-safety: SegmentWriter and SegmentScanner are not thread-safe;
// ReadRecord is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/status/status.h"

namespace weft::common::ledger::blockstore {

inline constexpr uint64_t kRecordHeaderSize = 8;

// `dir`/blockfile_NNNNNN (six digits, more when needed).
std::filesystem::path SegmentPath(const std::filesystem::path& dir, uint32_t segment);

// The header to write in front of `payload`.
std::string EncodeRecordHeader(std::string_view payload);

// Reads and checks the record whose payload is `length` bytes at `offset`.
// DataLoss if the file is short or the framing/checksum does not match.
[[nodiscard]] StatusOr<std::string> ReadRecord(const std::filesystem::path& file, uint64_t offset,
                                               uint64_t length);

// Forces `dir`'s entries (new or removed files) to disk.
[[nodiscard]] Status SyncDirectory(const std::filesystem::path& dir);

// Writes at an explicit end offset, so a failed append can be cut off again.
class SegmentWriter {
 public:
  // Opens (creating if missing) `file` for writing at `size`, its current length.
  [[nodiscard]] static StatusOr<SegmentWriter> Open(const std::filesystem::path& file);
  SegmentWriter(SegmentWriter&& other) noexcept;
  SegmentWriter& operator=(SegmentWriter&& other) noexcept;
  ~SegmentWriter();

  [[nodiscard]] Status Append(std::string_view data);
  [[nodiscard]] Status Sync();
  // Cuts the file back to `size` (<= current size) and syncs it.
  [[nodiscard]] Status Truncate(uint64_t size);
  uint64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  SegmentWriter(int fd, std::filesystem::path path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  int fd_ = -1;
  std::filesystem::path path_;
  uint64_t size_ = 0;
};

// Reads consecutive records from an offset until the end of the file or the
// first record that is incomplete or fails its checksum (a torn write).
class SegmentScanner {
 public:
  struct Record {
    uint64_t offset = 0;  // of the record header
    std::string payload;
  };

  [[nodiscard]] static StatusOr<SegmentScanner> Open(const std::filesystem::path& file,
                                                     uint64_t offset);
  SegmentScanner(SegmentScanner&& other) noexcept;
  SegmentScanner& operator=(SegmentScanner&& other) noexcept;
  ~SegmentScanner();

  // The next complete record, or nullopt at the end of the valid records.
  [[nodiscard]] StatusOr<std::optional<Record>> Next();
  // Offset just past the last complete record returned.
  uint64_t valid_end() const { return offset_; }
  // True when bytes follow valid_end() that do not form a complete record.
  bool torn() const { return offset_ < file_size_; }

 private:
  SegmentScanner(int fd, std::filesystem::path path, uint64_t offset, uint64_t file_size)
      : fd_(fd), path_(std::move(path)), offset_(offset), file_size_(file_size) {}
  int fd_ = -1;
  std::filesystem::path path_;
  uint64_t offset_ = 0;
  uint64_t file_size_ = 0;
};

}  // namespace weft::common::ledger::blockstore
