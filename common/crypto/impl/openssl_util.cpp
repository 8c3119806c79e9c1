#include "common/crypto/impl/openssl_util.h"

#include <openssl/err.h>

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace weft::common::crypto::impl {

std::string DrainErrors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out;
}

[[nodiscard]] Status OpenSslError(absl::StatusCode code, std::string_view what) {
  std::string detail = DrainErrors();
  if (detail.empty()) return Status(code, std::string(what));
  return Status(code, absl::StrCat(std::string(what), " (openssl: ", detail, ")"));
}

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

std::string BignumToBytes(const BIGNUM* bn) {
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

[[nodiscard]] StatusOr<TimePoint> AsnTimeToTimePoint(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return InvalidInput("reading an ASN.1 time");
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string FormatTime(TimePoint time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace weft::common::crypto::impl
