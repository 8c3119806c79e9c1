#include "msp/msp_manager.h"

#include "fmt/format.h"
#include "msp/identities.pb.h"

namespace weft::msp {

StatusOr<std::unique_ptr<MspManager>> MspManager::Create(
    std::vector<std::shared_ptr<const Msp>> msps, size_t cache_size) {
  std::map<std::string, std::shared_ptr<const Msp>, std::less<>> by_id;
  for (auto& msp : msps) {
    std::string id = msp->id();
    if (!by_id.emplace(id, std::move(msp)).second) {
      return absl::InvalidArgumentError(fmt::format("MSP {} is defined twice", id));
    }
  }
  return std::unique_ptr<MspManager>(new MspManager(std::move(by_id), cache_size));
}

MspManager::MspManager(std::map<std::string, std::shared_ptr<const Msp>, std::less<>> msps,
                       size_t cache_size)
    : msps_(std::move(msps)), cache_size_(cache_size == 0 ? 1 : cache_size) {}

std::shared_ptr<const Msp> MspManager::GetMsp(std::string_view msp_id) const {
  auto found = msps_.find(msp_id);
  return found == msps_.end() ? nullptr : found->second;
}

StatusOr<std::shared_ptr<const common::policies::Identity>> MspManager::DeserializeIdentity(
    std::string_view serialized_identity) const {
  WEFT_ASSIGN_OR_RETURN(auto identity, Deserialize(serialized_identity));
  return std::shared_ptr<const common::policies::Identity>(std::move(identity));
}

StatusOr<std::shared_ptr<const Identity>> MspManager::Deserialize(
    std::string_view serialized_identity) const {
  {
    std::lock_guard lock(mutex_);
    auto cached = index_.find(serialized_identity);
    if (cached != index_.end()) {
      lru_.splice(lru_.begin(), lru_, cached->second);
      return cached->second->second;
    }
  }
  ::msp::SerializedIdentity serialized;
  if (!serialized.ParseFromArray(serialized_identity.data(),
                                 static_cast<int>(serialized_identity.size()))) {
    return absl::InvalidArgumentError("identity is not a valid msp.SerializedIdentity");
  }
  auto msp = GetMsp(serialized.mspid());
  if (msp == nullptr) {
    return absl::NotFoundError(fmt::format("MSP {} is unknown", serialized.mspid()));
  }
  WEFT_ASSIGN_OR_RETURN(auto identity,
                        msp->DeserializeIdentity(serialized, std::string(serialized_identity)));

  std::lock_guard lock(mutex_);
  if (index_.count(identity->serialized()) == 0) {
    lru_.emplace_front(identity->serialized(), identity);
    index_.emplace(lru_.front().first, lru_.begin());
    if (lru_.size() > cache_size_) {
      index_.erase(lru_.back().first);
      lru_.pop_back();
    }
  }
  return identity;
}

}  // namespace weft::msp
