// libweft-ecdsa-count.so: an LD_PRELOAD library that counts the ECDSA signatures and
// verifications a process makes through libcrypto's EVP_PKEY_sign / EVP_PKEY_verify,
// the two calls common/crypto's PrivateKey::SignDigest and PublicKey::VerifyDigest
// make (so every Sign and Verify of Weft's crypto layer: proposals, endorsements,
// envelopes, blocks, commit-status requests). Not counted: certificate chain checks
// and TLS handshakes, which libcrypto and libssl do inside themselves.
//
// With WEFT_ECDSA_COUNT_DIR set, the first counted operation creates
// <dir>/<program>.<pid>, 16 bytes mapped shared: the signs and then the verifies as
// little-endian uint64, updated live, so a reader takes differences while the
// process runs (tools/bench/run.sh). Without the variable nothing is written.
//
// The OpenSSL functions are declared here rather than included: this library uses
// none of OpenSSL, it only stands in front of two of its entry points.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

extern "C" {
struct evp_pkey_ctx_st;
struct evp_pkey_st;
int EVP_PKEY_sign(evp_pkey_ctx_st* ctx, unsigned char* sig, size_t* siglen,
                  const unsigned char* tbs, size_t tbslen);
int EVP_PKEY_verify(evp_pkey_ctx_st* ctx, const unsigned char* sig, size_t siglen,
                    const unsigned char* tbs, size_t tbslen);
evp_pkey_st* EVP_PKEY_CTX_get0_pkey(evp_pkey_ctx_st* ctx);
int EVP_PKEY_get_base_id(const evp_pkey_st* pkey);
}

namespace {

constexpr int kEvpPkeyEc = 408;  // EVP_PKEY_EC (NID_X9_62_id_ecPublicKey)

using SignFn = int (*)(evp_pkey_ctx_st*, unsigned char*, size_t*, const unsigned char*, size_t);
using VerifyFn = int (*)(evp_pkey_ctx_st*, const unsigned char*, size_t, const unsigned char*,
                         size_t);

// The mapped counters of this process; null until the first count, or when not wanted.
std::atomic<uint64_t*> counters{nullptr};
std::once_flag map_once;

void MapCounters() {
  const char* dir = std::getenv("WEFT_ECDSA_COUNT_DIR");
  if (dir == nullptr || *dir == '\0') return;
  char exe[4096];
  ssize_t length = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  std::string program = "unknown";
  if (length > 0) {
    exe[length] = '\0';
    const char* slash = std::strrchr(exe, '/');
    program = slash != nullptr ? slash + 1 : exe;
  }
  const std::string path = std::string(dir) + "/" + program + "." + std::to_string(getpid());
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (ftruncate(fd, 2 * sizeof(uint64_t)) != 0) {
    close(fd);
    return;
  }
  void* mapped = mmap(nullptr, 2 * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (mapped != MAP_FAILED) counters = static_cast<uint64_t*>(mapped);
}

void Count(evp_pkey_ctx_st* ctx, int slot) {
  evp_pkey_st* key = EVP_PKEY_CTX_get0_pkey(ctx);
  if (key == nullptr || EVP_PKEY_get_base_id(key) != kEvpPkeyEc) return;
  std::call_once(map_once, MapCounters);
  uint64_t* mapped = counters.load();
  if (mapped != nullptr) __atomic_fetch_add(&mapped[slot], 1, __ATOMIC_RELAXED);
}

}  // namespace

extern "C" int EVP_PKEY_sign(evp_pkey_ctx_st* ctx, unsigned char* sig, size_t* siglen,
                             const unsigned char* tbs, size_t tbslen) {
  static const auto real = reinterpret_cast<SignFn>(dlsym(RTLD_NEXT, "EVP_PKEY_sign"));
  const int result = real(ctx, sig, siglen, tbs, tbslen);
  // A call without a buffer only asks for the signature's size.
  if (result == 1 && sig != nullptr) Count(ctx, 0);
  return result;
}

extern "C" int EVP_PKEY_verify(evp_pkey_ctx_st* ctx, const unsigned char* sig, size_t siglen,
                               const unsigned char* tbs, size_t tbslen) {
  static const auto real = reinterpret_cast<VerifyFn>(dlsym(RTLD_NEXT, "EVP_PKEY_verify"));
  const int result = real(ctx, sig, siglen, tbs, tbslen);
  Count(ctx, 1);  // failed verifications cost the same
  return result;
}
