#include "peer/scc/qscc/qscc.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <variant>

#include "common/ledger.pb.h"
#include "common/protoutil/response.h"
#include "common/protoutil/serialize.h"
#include "peer/chaincode.pb.h"
#include "peer/transaction.pb.h"

namespace weft::peer::scc::qscc {
namespace {

using common::protoutil::ChaincodeError;
using common::protoutil::ChaincodeSuccess;

using common::protoutil::ParseMessage;

// Go's strconv.Quote for the bytes of an argument: printable ASCII as is, the rest
// escaped (non-ASCII bytes as \xNN, where Go would keep printable UTF-8).
std::string GoQuote(std::string_view text) {
  std::string quoted = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        quoted += "\\\"";
        break;
      case '\\':
        quoted += "\\\\";
        break;
      case '\n':
        quoted += "\\n";
        break;
      case '\t':
        quoted += "\\t";
        break;
      case '\r':
        quoted += "\\r";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          quoted += static_cast<char>(c);
        } else {
          quoted += fmt::format("\\x{:02x}", c);
        }
    }
  }
  return quoted + "\"";
}

// Go's strconv.ParseUint(text, 10, 64): digits only (no sign, no underscores), the
// first bad character is a syntax error and overflow is checked digit by digit.
// Returns the number or the Go error text.
std::variant<uint64_t, std::string> ParseUint(std::string_view text) {
  auto fail = [&](std::string_view reason) {
    return fmt::format("strconv.ParseUint: parsing {}: {}", GoQuote(text), reason);
  };
  if (text.empty()) return fail("invalid syntax");
  uint64_t value = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : text) {
    if (c < '0' || c > '9') return fail("invalid syntax");
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (kMax - digit) / 10) return fail("value out of range");
    value = value * 10 + digit;
  }
  return value;
}

// Fabric's protoutil.InvokedChaincodeName.
[[nodiscard]] StatusOr<std::string> InvokedChaincodeName(std::string_view proposal_bytes) {
  auto proposal = ParseMessage<::protos::Proposal>(proposal_bytes, "proposal");
  if (!proposal.ok()) return Annotate(proposal.status(), "could not unmarshal proposal");
  auto payload =
      ParseMessage<::protos::ChaincodeProposalPayload>(proposal->payload(), "proposal payload");
  if (!payload.ok()) {
    return Annotate(payload.status(), "could not unmarshal chaincode proposal payload");
  }
  auto spec = ParseMessage<::protos::ChaincodeInvocationSpec>(payload->input(), "invocation spec");
  if (!spec.ok()) return Annotate(spec.status(), "could not unmarshal chaincode invocation spec");
  if (!spec->has_chaincode_spec()) return absl::InvalidArgumentError("chaincode spec is nil");
  if (!spec->chaincode_spec().has_chaincode_id()) {
    return absl::InvalidArgumentError("chaincode id is nil");
  }
  return spec->chaincode_spec().chaincode_id().name();
}

// Fabric's block index words a missing entry so; other errors keep their text.
std::string LedgerError(const Status& status, std::string not_found) {
  if (status.code() == absl::StatusCode::kNotFound) return not_found;
  return std::string(status.message());
}

// Block store lookups by hash or tx id do not take the ledger's commit lock, so a
// block appended but whose state is not written yet could show. Fabric's kvledger
// holds blockAPIsRWLock for these reads; here a block counts only if it is below
// the height read afterwards (the height is read under the lock, and moves only once
// a commit is complete).
bool Committed(const ledger::PeerLedger& ledger, uint64_t block_number) {
  return block_number < ledger.GetBlockchainInfo().height;
}

::protos::Response GetChainInfo(const ledger::PeerLedger& ledger) {
  const auto info = ledger.GetBlockchainInfo();
  ::common::BlockchainInfo message;
  message.set_height(info.height);
  message.set_currentblockhash(info.current_block_hash);
  message.set_previousblockhash(info.previous_block_hash);
  return ChaincodeSuccess(message.SerializeAsString());
}

::protos::Response GetBlockByNumber(const ledger::PeerLedger& ledger, std::string_view argument) {
  auto parsed = ParseUint(argument);
  if (const auto* error = std::get_if<std::string>(&parsed)) {
    return ChaincodeError(fmt::format("Failed to parse block number with error {}", *error));
  }
  const uint64_t number = std::get<uint64_t>(parsed);
  // Fabric's blockfileMgr reads math.MaxUint64 as the last block.
  uint64_t wanted = number;
  if (number == std::numeric_limits<uint64_t>::max()) {
    wanted = ledger.GetBlockchainInfo().height - 1;
  }
  auto block = ledger.GetBlockByNumber(wanted);
  if (!block.ok()) {
    return ChaincodeError(fmt::format(
        "Failed to get block number {}, error {}", number,
        LedgerError(block.status(), fmt::format("no such block number [{}] in index", wanted))));
  }
  return ChaincodeSuccess(block->SerializeAsString());
}

::protos::Response GetBlockByHash(const ledger::PeerLedger& ledger, const std::string& hash) {
  auto block = ledger.block_store().RetrieveBlockByHash(hash);
  if (block.ok() && !Committed(ledger, block->header().number())) {
    block = absl::NotFoundError("the block is not committed yet");
  }
  if (!block.ok()) {
    // Fabric prints the raw hash bytes here; hex keeps the message valid UTF-8.
    std::string hex;
    for (unsigned char c : hash) hex += fmt::format("{:02x}", c);
    return ChaincodeError(fmt::format(
        "Failed to get block hash {}, error {}", hex,
        LedgerError(block.status(), fmt::format("no such block hash [{}] in index", hex))));
  }
  return ChaincodeSuccess(block->SerializeAsString());
}

::protos::Response GetTransactionById(const ledger::PeerLedger& ledger, const std::string& tx_id) {
  auto fail = [&](const Status& status) {
    return ChaincodeError(fmt::format(
        "Failed to get transaction with id {}, error {}", tx_id,
        LedgerError(status, fmt::format("no such transaction ID [{}] in index", tx_id))));
  };
  const auto& blocks = ledger.block_store();
  auto location = blocks.RetrieveTxValidationCode(tx_id);
  if (location.ok() && !Committed(ledger, location->block_number)) {
    location = absl::NotFoundError("the transaction is not committed yet");
  }
  if (!location.ok()) return fail(location.status());
  auto block = blocks.RetrieveBlockByNumber(location->block_number);
  if (!block.ok()) return fail(block.status());
  if (location->tx_index >= static_cast<uint32_t>(block->data().data_size())) {
    return fail(absl::DataLossError(
        fmt::format("block {} has no transaction {}", location->block_number, location->tx_index)));
  }
  auto envelope = ParseMessage<::common::Envelope>(block->data().data(location->tx_index),
                                                   "transaction envelope");
  if (!envelope.ok()) return fail(envelope.status());
  ::protos::ProcessedTransaction processed;
  *processed.mutable_transactionenvelope() = *std::move(envelope);
  processed.set_validationcode(location->validation_code);
  return ChaincodeSuccess(processed.SerializeAsString());
}

::protos::Response GetBlockByTxId(const ledger::PeerLedger& ledger, const std::string& tx_id) {
  auto block = ledger.block_store().RetrieveBlockByTxId(tx_id);
  if (block.ok() && !Committed(ledger, block->header().number())) {
    block = absl::NotFoundError("the transaction is not committed yet");
  }
  if (!block.ok()) {
    return ChaincodeError(fmt::format(
        "Failed to get block for txID {}, error {}", tx_id,
        LedgerError(block.status(), fmt::format("no such transaction ID [{}] in index", tx_id))));
  }
  return ChaincodeSuccess(block->SerializeAsString());
}

}  // namespace

std::string AclResource(std::string_view function) { return fmt::format("qscc/{}", function); }

LedgerQuerier::LedgerQuerier(const aclmgmt::AclProvider& acl, const LedgerGetter& ledgers)
    : acl_(acl), ledgers_(ledgers) {}

::protos::Response LedgerQuerier::Init() const { return ChaincodeSuccess({}); }

::protos::Response LedgerQuerier::Invoke(const std::vector<std::string>& args,
                                         const ::protos::SignedProposal& signed_proposal) const {
  // The checks and messages of Fabric's LedgerQuerier.Invoke, in its order.
  if (args.size() < 2) {
    return ChaincodeError(fmt::format("Incorrect number of arguments, {}", args.size()));
  }
  const std::string& function = args[0];
  const std::string& channel_id = args[1];

  auto name = InvokedChaincodeName(signed_proposal.proposal_bytes());
  if (!name.ok()) {
    return ChaincodeError(fmt::format("Failed to identify the called chaincode: {}",
                                      std::string(name.status().message())));
  }
  if (*name != kName) {
    return ChaincodeError(fmt::format(
        "Rejecting invoke of QSCC from another chaincode because of potential for deadlocks, "
        "original invocation for '{}'",
        *name));
  }
  if (function != kGetChainInfo && args.size() < 3) {
    return ChaincodeError(fmt::format("missing 3rd argument for {}", function));
  }
  std::shared_ptr<const ledger::PeerLedger> ledger = ledgers_.GetLedger(channel_id);
  if (ledger == nullptr) return ChaincodeError(fmt::format("Invalid chain ID, {}", channel_id));

  if (Status allowed = acl_.CheckAcl(AclResource(function), channel_id, signed_proposal);
      !allowed.ok()) {
    return ChaincodeError(fmt::format("access denied for [{}][{}]: [{}]", function, channel_id,
                                      std::string(allowed.message())));
  }

  if (function == kGetTransactionById) return GetTransactionById(*ledger, args[2]);
  if (function == kGetBlockByNumber) return GetBlockByNumber(*ledger, args[2]);
  if (function == kGetBlockByHash) return GetBlockByHash(*ledger, args[2]);
  if (function == kGetChainInfo) return GetChainInfo(*ledger);
  if (function == kGetBlockByTxId) return GetBlockByTxId(*ledger, args[2]);
  return ChaincodeError(fmt::format("Requested function {} not found.", function));
}

}  // namespace weft::peer::scc::qscc
