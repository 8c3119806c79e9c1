// Where each running Kafka chain posts whether it can write to its partition, so the
// consenter can answer /healthz for all channels at once.
// Thread-safety: thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "common/status/status.h"

namespace weft::orderer::consensus::kafka::impl {

class ConnectivityBoard {
 public:
  // `chain` identifies the poster: a channel's chain may be replaced by a new one.
  void Post(const void* chain, const std::string& channel_id, Status status);
  void Remove(const void* chain);
  // OK, or Unavailable listing every channel that is not connected and why.
  [[nodiscard]] Status Summary() const;

 private:
  struct Entry {
    std::string channel_id;
    Status status;
  };
  mutable std::mutex mu_;
  std::map<const void*, Entry> entries_;  // guarded by mu_
};

}  // namespace weft::orderer::consensus::kafka::impl
