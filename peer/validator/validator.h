// The validation half of the committing peer (Fabric's txvalidator v20 with the
// v20 plugin dispatcher and the builtin "vscc" validation): per block, every
// transaction is checked in parallel on an Executor — envelope and headers,
// creator signature, tx id, the endorsements against the policy of the invoked
// chaincode and of every other namespace written (chaincode, collection and
// key-level policies, _lifecycle against /Channel/Application/LifecycleEndorsement),
// a tx id already in the ledger — and the result is one TxValidationCode per
// transaction. PeerLedger::CommitBlock then marks in-block duplicate tx ids and
// runs MVCC (see committer.h, which ties the two together).
//
// Codes of Fabric's v20 validator that no block can produce here, as in Fabric:
// NIL_ENVELOPE (Go's nil envelope; an empty entry decodes to an empty envelope,
// BAD_COMMON_HEADER), UNKNOWN_TX_TYPE and BAD_CHANNEL_HEADER (the header checks
// already rejected those), MARSHAL_TX_ERROR; NIL_TXACTION is the ledger's.
// TARGET_CHAIN_NOT_FOUND, a stub in Fabric, is given to a transaction naming
// another channel than the validator's.
//
// Reads go through LedgerView, the channel's ledger as of the block's start: the
// committer validates a block only while no other block commits, so every worker
// sees the same state. Identities are deserialized through the bundle's
// MspManager (msp/msp_manager.h), whose bounded LRU cache keyed by the serialized
// bytes parses each creator and endorser certificate once per bundle.
//
// Thread-safety: Validate may be called from several threads; each call waits for
// its own transactions. The executor must run tasks in submission order (FIFO, as
// ThreadPool and InlineExecutor do): a transaction may wait for the result of an
// earlier one of its block (key-level validation parameters), and FIFO order
// guarantees that earlier one is already running or done. For the same reason
// Validate must not run as a task of its own executor.
// The composition root makes the executor a ThreadPool of
// ValidatorPoolSize(peer.validatorPoolSize) workers, shared by the channels.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "common/concurrency/executor.h"
#include "common/status/status.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/transaction.pb.h"

namespace weft::peer::validator {

// The validation plugin Fabric's definitions name by default; the only one Weft has.
inline constexpr std::string_view kBuiltinValidationPlugin = "vscc";
// Fabric's lifecycle.LifecycleEndorsementPolicyRef.
inline constexpr std::string_view kLifecycleEndorsementPolicyRef =
    "/Channel/Application/LifecycleEndorsement";
// Prefix of the implicit collection of an organisation (Fabric's implicitcollection).
inline constexpr std::string_view kImplicitCollectionPrefix = "_implicit_org_";

// peer.validatorPoolSize: values <= 0 mean one worker per core (Fabric's default).
std::size_t ValidatorPoolSize(int configured);

// The channel's ledger as the validator reads it.
class LedgerView {
 public:
  virtual ~LedgerView() = default;
  // Whether a transaction with this id is already committed (with any code).
  [[nodiscard]] virtual StatusOr<bool> TxIdExists(const std::string& tx_id) const = 0;
  // A query executor over the committed state; each worker opens its own and
  // calls Done() when it finishes a transaction.
  virtual std::unique_ptr<ledger::QueryExecutor> NewQueryExecutor() const = 0;
};

// LedgerView over `ledger`, which must outlive it.
std::unique_ptr<LedgerView> NewPeerLedgerView(ledger::PeerLedger& ledger);

struct BlockValidation {
  // One per transaction of block.data, in order.
  std::vector<::protos::TxValidationCode> codes;
  // Why each code is not VALID (empty for VALID), for the peer's log.
  std::vector<std::string> reasons;
  // For a block whose CONFIG transaction passed: the bundle of the new config,
  // to be installed once the block is committed. Null otherwise.
  std::shared_ptr<const common::channelconfig::ChannelConfig> new_bundle;
};

class Validator {
 public:
  // `ledger` and `executor` must outlive the validator.
  Validator(std::string channel_id, const LedgerView& ledger,
            common::concurrency::Executor& executor);

  // Checks every transaction of `block` against `bundle` (the channel config in
  // force before the block). An invalid transaction is a code, not an error; an
  // error means the block cannot be validated (Fabric's terminal errors: a
  // ledger read failing, a definition naming a validation plugin this peer lacks,
  // a stored validation parameter that does not parse, a config transaction that
  // does not follow from the current config) and must not be committed.
  [[nodiscard]] StatusOr<BlockValidation> Validate(
      const ::common::Block& block,
      std::shared_ptr<const common::channelconfig::ChannelConfig> bundle) const;

  const std::string& channel_id() const { return channel_id_; }

 private:
  std::string channel_id_;
  const LedgerView& ledger_;
  common::concurrency::Executor& executor_;
};

}  // namespace weft::peer::validator
