// A ledger's commit hook for components that keep derived views of the state
// (Fabric's ledger.StateListener, core/ledger/ledger_interface.go, reduced to what
// Weft's listeners need): the lifecycle cache learns which _lifecycle keys a block
// wrote, public and hashed, as Fabric's lifecycle Cache.HandleStateUpdates does.
//
// Thread-safety: a listener is called from the committing thread of each ledger it
// is registered with, so from several threads at once when it serves several
// channels; implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace weft::peer::ledger {

// The writes of one namespace in a committed block.
struct NamespaceStateUpdates {
  std::vector<std::string> public_keys;  // keys written or deleted, in key order
  // Collection -> SHA-256 of the keys written or deleted in its hashed state.
  std::map<std::string, std::vector<std::string>> collection_key_hashes;
};

// Fabric's StateUpdateTrigger: the channel, the block and, for each namespace the
// listener is interested in that the block wrote, what it wrote.
struct StateUpdateTrigger {
  std::string channel_id;
  uint64_t block_number = 0;
  std::map<std::string, NamespaceStateUpdates> updates;
};

class StateListener {
 public:
  virtual ~StateListener() = default;
  // Fabric's InterestedInNamespaces: only blocks writing these reach the listener.
  virtual std::vector<std::string> InterestedInNamespaces() const = 0;
  // Called once per block that wrote an interested namespace (by a commit, or by the
  // replay of recovery), after its state is written and before the ledger lets
  // readers in again: a reader that opens a simulator afterwards sees the new state,
  // and no reader holding the read lock runs concurrently. Must be quick, must not
  // fail, and must not call the ledger (which holds its commit lock exclusively).
  virtual void HandleStateUpdates(const StateUpdateTrigger& trigger) = 0;
};

}  // namespace weft::peer::ledger
