#include "orderer/consensus/kafka/impl/connectivity_board.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

namespace weft::orderer::consensus::kafka::impl {

void ConnectivityBoard::Post(const void* chain, const std::string& channel_id, Status status) {
  std::lock_guard lock(mu_);
  entries_[chain] = Entry{channel_id, std::move(status)};
}

void ConnectivityBoard::Remove(const void* chain) {
  std::lock_guard lock(mu_);
  entries_.erase(chain);
}

Status ConnectivityBoard::Summary() const {
  std::vector<std::string> problems;
  {
    std::lock_guard lock(mu_);
    for (const auto& [chain, entry] : entries_) {
      if (!entry.status.ok()) problems.push_back(std::string(entry.status.message()));
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::UnavailableError(fmt::format("{}", fmt::join(problems, "; ")));
}

}  // namespace weft::orderer::consensus::kafka::impl
