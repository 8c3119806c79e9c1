#include "common/ledger/blockstore/impl/segment_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/ledger/blockstore/impl/crc32c.h"

namespace weft::common::ledger::blockstore {
namespace {

[[nodiscard]] Status ErrnoError(std::string_view operation, const std::filesystem::path& file,
                                int error) {
  return absl::InternalError(
      absl::StrCat(absl::string_view(operation.data(), operation.size()), " ", file.string(), ": ",
                   std::error_code(error, std::system_category()).message()));
}

void PutFixed32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xffu));
}

uint32_t GetFixed32(const char* p) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

// The checksum covers the length too, so a zero-filled tail never passes.
uint32_t RecordChecksum(std::string_view length_bytes, std::string_view payload) {
  return Crc32cExtend(Crc32c(length_bytes), payload);
}

// Reads exactly `size` bytes at `offset`; returns how many were available.
[[nodiscard]] StatusOr<uint64_t> ReadAt(int fd, const std::filesystem::path& file, char* buffer,
                                        uint64_t size, uint64_t offset) {
  uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, buffer + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("reading", file, errno);
    }
    if (n == 0) break;
    done += static_cast<uint64_t>(n);
  }
  return done;
}

[[nodiscard]] StatusOr<uint64_t> FileSize(int fd, const std::filesystem::path& file) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("stat of", file, errno);
  return static_cast<uint64_t>(st.st_size);
}

[[nodiscard]] StatusOr<int> OpenFd(const std::filesystem::path& file, int flags) {
  int fd;
  do {
    fd = ::open(file.c_str(), flags | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("no block file ", file.string()));
    return ErrnoError("opening", file, errno);
  }
  return fd;
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::filesystem::path SegmentPath(const std::filesystem::path& dir, uint32_t segment) {
  char name[32];
  std::snprintf(name, sizeof(name), "blockfile_%06u", segment);
  return dir / name;
}

std::string EncodeRecordHeader(std::string_view payload) {
  std::string header;
  header.reserve(kRecordHeaderSize);
  PutFixed32(header, static_cast<uint32_t>(payload.size()));
  PutFixed32(header, RecordChecksum(header, payload));
  return header;
}

[[nodiscard]] StatusOr<std::string> ReadRecord(const std::filesystem::path& file, uint64_t offset,
                                               uint64_t length) {
  WEFT_ASSIGN_OR_RETURN(int fd, OpenFd(file, O_RDONLY));
  std::string record(kRecordHeaderSize + length, '\0');
  auto read = ReadAt(fd, file, record.data(), record.size(), offset);
  CloseFd(fd);
  WEFT_RETURN_IF_ERROR(read.status());
  std::string_view view(record);
  if (*read != record.size() || GetFixed32(record.data()) != length ||
      GetFixed32(record.data() + 4) !=
          RecordChecksum(view.substr(0, 4), view.substr(kRecordHeaderSize))) {
    return absl::DataLossError(absl::StrCat("block record of ", length, " bytes at offset ", offset,
                                            " of ", file.string(), " is missing or corrupt"));
  }
  return record.substr(kRecordHeaderSize);
}

[[nodiscard]] Status SyncDirectory(const std::filesystem::path& dir) {
  WEFT_ASSIGN_OR_RETURN(int fd, OpenFd(dir, O_RDONLY | O_DIRECTORY));
  int rc = ::fsync(fd);
  int error = errno;
  CloseFd(fd);
  if (rc != 0) return ErrnoError("fsync of directory", dir, error);
  return absl::OkStatus();
}

// ---- SegmentWriter ----

StatusOr<SegmentWriter> SegmentWriter::Open(const std::filesystem::path& file) {
  WEFT_ASSIGN_OR_RETURN(int fd, OpenFd(file, O_WRONLY | O_CREAT));
  auto size = FileSize(fd, file);
  if (!size.ok()) {
    CloseFd(fd);
    return size.status();
  }
  return SegmentWriter(fd, file, *size);
}

SegmentWriter::SegmentWriter(SegmentWriter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), size_(other.size_) {}

SegmentWriter& SegmentWriter::operator=(SegmentWriter&& other) noexcept {
  if (this != &other) {
    CloseFd(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    size_ = other.size_;
  }
  return *this;
}

SegmentWriter::~SegmentWriter() { CloseFd(fd_); }

Status SegmentWriter::Append(std::string_view data) {
  uint64_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(size_ + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      size_ += done;  // what reached the file; the caller truncates it away
      return ErrnoError("appending to", path_, error);
    }
    done += static_cast<uint64_t>(n);
  }
  size_ += done;
  return absl::OkStatus();
}

Status SegmentWriter::Sync() {
  if (::fdatasync(fd_) != 0) return ErrnoError("fdatasync of", path_, errno);
  return absl::OkStatus();
}

Status SegmentWriter::Truncate(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
    return ErrnoError("truncating", path_, errno);
  size_ = size;
  return Sync();
}

// ---- SegmentScanner ----

StatusOr<SegmentScanner> SegmentScanner::Open(const std::filesystem::path& file, uint64_t offset) {
  WEFT_ASSIGN_OR_RETURN(int fd, OpenFd(file, O_RDONLY));
  auto size = FileSize(fd, file);
  if (!size.ok()) {
    CloseFd(fd);
    return size.status();
  }
  return SegmentScanner(fd, file, offset, *size);
}

SegmentScanner::SegmentScanner(SegmentScanner&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      offset_(other.offset_),
      file_size_(other.file_size_) {}

SegmentScanner& SegmentScanner::operator=(SegmentScanner&& other) noexcept {
  if (this != &other) {
    CloseFd(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    offset_ = other.offset_;
    file_size_ = other.file_size_;
  }
  return *this;
}

SegmentScanner::~SegmentScanner() { CloseFd(fd_); }

StatusOr<std::optional<SegmentScanner::Record>> SegmentScanner::Next() {
  if (offset_ + kRecordHeaderSize > file_size_) return std::nullopt;
  char header[kRecordHeaderSize];
  WEFT_ASSIGN_OR_RETURN(uint64_t got, ReadAt(fd_, path_, header, kRecordHeaderSize, offset_));
  if (got != kRecordHeaderSize) return std::nullopt;
  uint64_t length = GetFixed32(header);
  // Writers never store empty payloads; zero here means a zero-filled tail.
  if (length == 0 || offset_ + kRecordHeaderSize + length > file_size_) return std::nullopt;
  Record record{offset_, std::string(length, '\0')};
  WEFT_ASSIGN_OR_RETURN(
      got, ReadAt(fd_, path_, record.payload.data(), length, offset_ + kRecordHeaderSize));
  if (got != length ||
      GetFixed32(header + 4) != RecordChecksum(std::string_view(header, 4), record.payload)) {
    return std::nullopt;
  }
  offset_ += kRecordHeaderSize + length;
  return std::optional<Record>(std::move(record));
}

}  // namespace weft::common::ledger::blockstore
