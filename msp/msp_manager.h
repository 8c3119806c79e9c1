// The MSPs of one channel (or the local MSP set of a node), by MSP ID, and the
// identity deserializer that policies, endorser and validator use.
// Deserialized identities are kept in a bounded LRU cache keyed by their exact
// serialized bytes, because parsing a certificate costs more than a signature
// check and the same few identities sign most transactions.
// Thread-safety: safe for concurrent use.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/policies/identity.h"
#include "msp/msp.h"

namespace weft::msp {

class MspManager final : public common::policies::IdentityDeserializer {
 public:
  static constexpr size_t kDefaultCacheSize = 4096;

  // Fails on two MSPs with the same ID.
  [[nodiscard]] static StatusOr<std::unique_ptr<MspManager>> Create(
      std::vector<std::shared_ptr<const Msp>> msps, size_t cache_size = kDefaultCacheSize);

  [[nodiscard]] StatusOr<std::shared_ptr<const common::policies::Identity>> DeserializeIdentity(
      std::string_view serialized_identity) const override;
  // Same, with the concrete type.
  [[nodiscard]] StatusOr<std::shared_ptr<const Identity>> Deserialize(
      std::string_view serialized_identity) const;

  // nullptr when no MSP has this ID.
  std::shared_ptr<const Msp> GetMsp(std::string_view msp_id) const;
  const std::map<std::string, std::shared_ptr<const Msp>, std::less<>>& msps() const {
    return msps_;
  }

 private:
  MspManager(std::map<std::string, std::shared_ptr<const Msp>, std::less<>> msps,
             size_t cache_size);

  std::map<std::string, std::shared_ptr<const Msp>, std::less<>> msps_;
  size_t cache_size_;
  mutable std::mutex mutex_;
  // Most recently used first.
  mutable std::list<std::pair<std::string, std::shared_ptr<const Identity>>> lru_;
  mutable std::unordered_map<std::string_view, decltype(lru_)::iterator> index_;
};

}  // namespace weft::msp
