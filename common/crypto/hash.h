// SHA-256, one-shot and incremental, and lowercase hex encoding.
// Thread-safety: the free functions are thread-safe; a Sha256Hasher is not
// (use one per thread).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace weft::common::crypto {

inline constexpr size_t kSha256Size = 32;

// The 32-byte SHA-256 digest of `data` (raw bytes, not hex).
std::string Sha256(std::string_view data);

// Hashes several pieces as if they were concatenated, without copying them.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;

  Sha256Hasher& Update(std::string_view data);
  // Returns the digest and resets the hasher for reuse.
  std::string Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Lowercase hex of `bytes` ("0a1b...").
std::string HexEncode(std::string_view bytes);

}  // namespace weft::common::crypto
