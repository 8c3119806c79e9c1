#include "peer/validator/validator.h"

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/configtx.pb.h"
#include "common/configtx/validator.h"
#include "common/policies/identity.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/response.h"
#include "common/protoutil/txid.h"
#include "google/protobuf/util/message_differencer.h"
#include "peer/chaincode_event.pb.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/validator/impl/block_context.h"
#include "peer/validator/impl/endorsement.h"

namespace weft::peer::validator {
namespace {

using common::channelconfig::ChannelConfig;
using Code = ::protos::TxValidationCode;

// The first-stage outcome of one transaction.
struct TxOutcome {
  Code code = ::protos::NOT_VALIDATED;
  std::string reason;  // why the code is not VALID
  // Set for a CONFIG transaction that passed.
  std::shared_ptr<const ChannelConfig> new_bundle;
  // Not OK: the block cannot be validated (Fabric's terminal errors).
  Status error = absl::OkStatus();
};

TxOutcome Verdict(Code code, std::string reason = "") {
  return TxOutcome{code, std::move(reason), nullptr, absl::OkStatus()};
}
TxOutcome Failure(Status error) {
  return TxOutcome{::protos::NOT_VALIDATED, "", nullptr, std::move(error)};
}

// The layers of an endorser transaction that msgvalidation's
// validateEndorserTransaction opens.
struct EndorserLayers {
  ::protos::Transaction transaction;
  ::protos::ChaincodeActionPayload action_payload;
  ::protos::ProposalResponsePayload response_payload;
};

// Fabric's validateSignatureHeader.
bool SignatureHeaderValid(const ::common::SignatureHeader& header) {
  return !header.nonce().empty() && !header.creator().empty();
}

// Fabric's validateEndorserTransaction: one action with a well-formed signature
// header, whose proposal response payload carries the hash of the proposal the
// action was endorsed for. An error is INVALID_ENDORSER_TRANSACTION.
[[nodiscard]] StatusOr<EndorserLayers> OpenEndorserLayers(const ::common::Payload& payload) {
  if (payload.data().empty()) return absl::InvalidArgumentError("payload has no transaction");
  EndorserLayers layers;
  if (!layers.transaction.ParseFromString(payload.data())) {
    return absl::InvalidArgumentError("payload data is not a valid protos.Transaction");
  }
  if (layers.transaction.actions_size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("only one action per transaction is supported, tx contains ",
                     layers.transaction.actions_size()));
  }
  const auto& action = layers.transaction.actions(0);
  ::common::SignatureHeader action_header;
  if (!action_header.ParseFromString(action.header()) || !SignatureHeaderValid(action_header)) {
    return absl::InvalidArgumentError("action signature header is invalid or lacks nonce/creator");
  }
  if (!layers.action_payload.ParseFromString(action.payload()) ||
      !layers.action_payload.has_action()) {
    return absl::InvalidArgumentError("action payload is not a valid ChaincodeActionPayload");
  }
  if (!layers.response_payload.ParseFromString(
          layers.action_payload.action().proposal_response_payload())) {
    return absl::InvalidArgumentError("proposal response payload does not parse");
  }
  std::string hash =
      common::protoutil::ProposalHash(payload.header().channel_header(), action.header(),
                                      layers.action_payload.chaincode_proposal_payload());
  if (hash != layers.response_payload.proposal_hash()) {
    return absl::InvalidArgumentError("proposal hash does not match");
  }
  return layers;
}

// Fabric's dispatcher txWritesToNamespace.
bool WritesTo(const ledger::rwset::NsRwSet& ns) {
  if (ns.kv.writes_size() > 0 || ns.kv.metadata_writes_size() > 0) return true;
  for (const auto& collection : ns.collections) {
    if (collection.hashed.hashed_writes_size() > 0 || collection.hashed.metadata_writes_size() > 0)
      return true;
  }
  return false;
}

std::vector<impl::KeyId> MetadataWrites(const ledger::rwset::TxRwSet& rwset) {
  std::vector<impl::KeyId> keys;
  for (const auto& ns : rwset) {
    for (const auto& write : ns.kv.metadata_writes()) keys.push_back({ns.ns, "", write.key()});
    for (const auto& collection : ns.collections) {
      for (const auto& write : collection.hashed.metadata_writes())
        keys.push_back({ns.ns, collection.collection, write.key_hash()});
    }
  }
  return keys;
}

class TxValidation {
 public:
  TxValidation(const std::string& channel_id, const LedgerView& ledger, const ChannelConfig& bundle,
               impl::BlockContext& block, uint64_t block_number, std::size_t index)
      : channel_id_(channel_id),
        ledger_(ledger),
        bundle_(bundle),
        block_(block),
        block_number_(block_number),
        index_(index) {}

  // Fabric's TxValidator.validateTx.
  TxOutcome Run(const std::string& data) {
    ::common::Envelope envelope;
    // GetEnvelopeFromBlock failing is INVALID_OTHER_REASON in validateTx.
    if (!envelope.ParseFromString(data)) {
      return Verdict(::protos::INVALID_OTHER_REASON, "envelope bytes do not parse");
    }

    // msgvalidation.ValidateTransaction.
    ::common::Payload payload;
    if (!payload.ParseFromString(envelope.payload())) {
      return Verdict(::protos::BAD_PAYLOAD, "envelope payload is not a valid common.Payload");
    }
    ::common::ChannelHeader channel_header;
    ::common::SignatureHeader signature_header;
    if (std::string why = CommonHeaderProblem(payload, channel_header, signature_header);
        !why.empty()) {
      return Verdict(::protos::BAD_COMMON_HEADER, std::move(why));
    }
    if (std::string why = CreatorProblem(envelope, signature_header); !why.empty()) {
      return Verdict(::protos::BAD_CREATOR_SIGNATURE, std::move(why));
    }
    std::optional<EndorserLayers> layers;
    switch (channel_header.type()) {
      case ::common::ENDORSER_TRANSACTION:
        if (common::protoutil::ComputeTxId(signature_header.nonce(), signature_header.creator()) !=
            channel_header.tx_id()) {
          return Verdict(::protos::BAD_PROPOSAL_TXID,
                         "tx id is not SHA-256(nonce || creator) of the signature header");
        }
        {
          auto opened = OpenEndorserLayers(payload);
          if (!opened.ok()) {
            return Verdict(::protos::INVALID_ENDORSER_TRANSACTION,
                           std::string(opened.status().message()));
          }
          layers = *std::move(opened);
        }
        break;
      case ::common::CONFIG:
        if (payload.data().empty()) {
          return Verdict(::protos::INVALID_CONFIG_TRANSACTION, "config transaction has no data");
        }
        break;
      default:  // CONFIG_UPDATE passed the header check but is not carried in blocks
        return Verdict(::protos::UNSUPPORTED_TX_PAYLOAD,
                       absl::StrCat("unsupported transaction type ",
                                    ::common::HeaderType_Name(channel_header.type())));
    }

    // Fabric's chainExists is a stub that accepts every channel; a peer
    // validating one channel's block rejects a transaction naming another.
    if (channel_header.channel_id() != channel_id_) {
      return Verdict(::protos::TARGET_CHAIN_NOT_FOUND,
                     absl::StrCat("transaction of channel ", channel_header.channel_id()));
    }

    if (channel_header.type() == ::common::ENDORSER_TRANSACTION) {
      // checkTxIdDupsLedger comes before any endorsement check.
      auto exists = ledger_.TxIdExists(channel_header.tx_id());
      if (!exists.ok()) {
        return Failure(
            Annotate(exists.status(), absl::StrCat("looking up tx id ", channel_header.tx_id())));
      }
      if (*exists) {
        return Verdict(::protos::DUPLICATE_TXID,
                       absl::StrCat("tx id ", channel_header.tx_id(), " is already committed"));
      }
      return Dispatch(channel_header, *layers);
    }
    return ApplyConfig(payload);
  }

 private:
  // Fabric's validateCommonHeader; empty when the headers are fine.
  static std::string CommonHeaderProblem(const ::common::Payload& payload,
                                         ::common::ChannelHeader& channel_header,
                                         ::common::SignatureHeader& signature_header) {
    if (!payload.has_header()) return "payload has no header";
    if (!channel_header.ParseFromString(payload.header().channel_header())) {
      return "channel header is not a valid common.ChannelHeader";
    }
    if (!signature_header.ParseFromString(payload.header().signature_header())) {
      return "signature header is not a valid common.SignatureHeader";
    }
    switch (channel_header.type()) {
      case ::common::ENDORSER_TRANSACTION:
      case ::common::CONFIG_UPDATE:
      case ::common::CONFIG:
        break;
      default:
        return absl::StrCat("invalid header type ",
                            ::common::HeaderType_Name(channel_header.type()));
    }
    if (channel_header.epoch() != 0) {
      return absl::StrCat("invalid epoch in channel header, expected 0, got ",
                          channel_header.epoch());
    }
    if (!SignatureHeaderValid(signature_header)) return "signature header lacks nonce or creator";
    return "";
  }

  // Fabric's checkSignatureFromCreator: the creator deserializes with the
  // channel's MSPs, is valid for its MSP, and signed the payload. Empty when so.
  std::string CreatorProblem(const ::common::Envelope& envelope,
                             const ::common::SignatureHeader& signature_header) const {
    if (envelope.signature().empty()) return "envelope is not signed";
    auto creator = bundle_.msp_manager().Deserialize(signature_header.creator());
    if (!creator.ok()) return absl::StrCat("MSP error: ", creator.status().message());
    if (Status valid = (*creator)->Validate(); !valid.ok()) {
      return absl::StrCat("creator certificate is not valid: ", valid.message());
    }
    if (Status verified = (*creator)->Verify(envelope.payload(), envelope.signature());
        !verified.ok()) {
      return absl::StrCat("creator's signature over the payload is not valid: ",
                          verified.message());
    }
    return "";
  }

  // Fabric's plugindispatcher Dispatch.
  TxOutcome Dispatch(const ::common::ChannelHeader& channel_header, const EndorserLayers& layers) {
    ::protos::ChaincodeHeaderExtension extension;
    if (!extension.ParseFromString(channel_header.extension())) {
      return Verdict(::protos::BAD_HEADER_EXTENSION,
                     "channel header extension is not a valid ChaincodeHeaderExtension");
    }
    // GetActionFromEnvelope.
    const auto& endorsed = layers.action_payload.action();
    if (endorsed.proposal_response_payload().empty() ||
        layers.response_payload.extension().empty()) {
      return Verdict(::protos::BAD_RESPONSE_PAYLOAD, "response payload is missing extension");
    }
    ::protos::ChaincodeAction action;
    if (!action.ParseFromString(layers.response_payload.extension())) {
      return Verdict(::protos::BAD_RESPONSE_PAYLOAD,
                     "response payload extension is not a valid ChaincodeAction");
    }
    auto rwset = ledger::rwset::ParseTxRwSet(action.results());
    if (!rwset.ok()) return Verdict(::protos::BAD_RWSET, std::string(rwset.status().message()));
    // Later transactions of the block may now learn which validation
    // parameters this one changes.
    block_.PublishMetadataWrites(index_, MetadataWrites(*rwset));

    if (!extension.has_chaincode_id() || !action.has_chaincode_id()) {
      return Verdict(::protos::INVALID_OTHER_REASON,
                     "no chaincode id in header extension or chaincode action");
    }
    const std::string& chaincode = extension.chaincode_id().name();
    if (chaincode.empty() || chaincode != action.chaincode_id().name() ||
        action.chaincode_id().version().empty()) {
      return Verdict(
          ::protos::INVALID_CHAINCODE,
          absl::StrCat("inconsistent chaincode id info (", chaincode, "/",
                       action.chaincode_id().name(), ":", action.chaincode_id().version(), ")"));
    }
    if (!action.events().empty()) {
      ::protos::ChaincodeEvent event;
      if (!event.ParseFromString(action.events()) || event.chaincode_id() != chaincode) {
        return Verdict(::protos::INVALID_OTHER_REASON,
                       "chaincode event chaincode id does not match chaincode action chaincode id");
      }
    }
    // Fabric walks its namespace map in random order; sorted order makes the
    // reported code (when two namespaces fail differently) the same on every peer.
    std::set<std::string, std::less<>> written{chaincode};
    std::set<std::string, std::less<>> seen;
    for (const auto& ns : *rwset) {
      if (!seen.insert(ns.ns).second) {
        return Verdict(::protos::ILLEGAL_WRITESET,
                       absl::StrCat("duplicate namespace '", ns.ns, "' in the rwset"));
      }
      if (WritesTo(ns)) written.insert(ns.ns);
    }

    std::vector<common::policies::SignedData> endorsements;
    endorsements.reserve(endorsed.endorsements_size());
    for (const auto& endorsement : endorsed.endorsements()) {
      endorsements.push_back({common::protoutil::EndorsementSignedBytes(
                                  endorsed.proposal_response_payload(), endorsement.endorser()),
                              endorsement.endorser(), endorsement.signature()});
    }

    std::unique_ptr<ledger::QueryExecutor> state = ledger_.NewQueryExecutor();
    impl::Definitions definitions(*state);
    impl::Endorsers endorsers(bundle_, endorsements);
    impl::TxContext context{bundle_, *state,        definitions, block_,
                            index_,  block_number_, *rwset,      endorsers};
    TxOutcome outcome = Verdict(::protos::VALID);
    for (const std::string& ns : written) {
      outcome = ValidateNamespace(context, definitions, ns);
      if (!outcome.error.ok() || outcome.code != ::protos::VALID) break;
    }
    state->Done();
    return outcome;
  }

  // GetInfoForValidate (lifecycle's ValidationInfo) and the validation plugin.
  TxOutcome ValidateNamespace(const impl::TxContext& context, impl::Definitions& definitions,
                              const std::string& ns) {
    std::string policy;
    if (ns == lifecycle::kLifecycleNamespace) {
      auto lifecycle_policy = impl::LifecycleEndorsementPolicy(bundle_);
      if (!lifecycle_policy.ok()) {
        return Failure(Annotate(lifecycle_policy.status(),
                                "unexpected failure to create lifecycle endorsement policy"));
      }
      policy = *std::move(lifecycle_policy);
    } else {
      auto definition = definitions.Get(ns);
      if (!definition.ok()) {
        return Failure(Annotate(definition.status(),
                                absl::StrCat("could not retrieve state for chaincode ", ns)));
      }
      // No committed definition, or one without plugin or policy: INVALID_CHAINCODE.
      if (*definition == nullptr) {
        return Verdict(::protos::INVALID_CHAINCODE,
                       absl::StrCat("chaincode ", ns, " has no committed definition"));
      }
      const auto& info = (*definition)->validation_info;
      if (info.validation_plugin().empty() || info.validation_parameter().empty()) {
        return Verdict(::protos::INVALID_CHAINCODE,
                       absl::StrCat("chaincode definition for [", ns,
                                    "] is invalid, plugin and policy must be set"));
      }
      if (info.validation_plugin() != kBuiltinValidationPlugin) {
        // Fabric: a plugin the peer lacks is an execution failure that halts the channel.
        return Failure(absl::FailedPreconditionError(
            absl::StrCat("chaincode ", ns, " names validation plugin ", info.validation_plugin(),
                         " which this peer does not have")));
      }
      policy = info.validation_parameter();
    }
    auto code = impl::ValidateNamespace(context, ns, policy);
    if (!code.ok()) {
      return Failure(Annotate(code.status(), absl::StrCat("validating namespace ", ns, " of tx ",
                                                          index_, " in block ", block_number_)));
    }
    return Verdict(code->code, std::move(code->reason));
  }

  // Fabric's ChannelResources.Apply: the config must follow from the current one
  // through its last update (configtx Validate); the new bundle is installed
  // when the block is committed.
  TxOutcome ApplyConfig(const ::common::Payload& payload) {
    ::common::ConfigEnvelope config_envelope;
    if (!config_envelope.ParseFromString(payload.data()) || !config_envelope.has_config()) {
      return Failure(absl::InvalidArgumentError(absl::StrCat(
          "config transaction of block ", block_number_, " carries no valid ConfigEnvelope")));
    }
    const uint64_t sequence = config_envelope.config().sequence();
    if (sequence != bundle_.sequence() + 1) {
      return Failure(absl::InvalidArgumentError(
          absl::StrCat("config currently at sequence ", bundle_.sequence(),
                       ", cannot validate config at sequence ", sequence)));
    }
    if (!config_envelope.has_last_update()) {
      return Failure(absl::InvalidArgumentError(
          absl::StrCat("config at sequence ", sequence, " has no last update")));
    }
    auto proposed = common::configtx::ProposeConfigUpdate(bundle_, config_envelope.last_update());
    if (!proposed.ok()) {
      return Failure(
          Annotate(proposed.status(), absl::StrCat("validating config at sequence ", sequence)));
    }
    if (!google::protobuf::util::MessageDifferencer::Equals(
            proposed->envelope.config().channel_group(),
            config_envelope.config().channel_group())) {
      return Failure(absl::InvalidArgumentError(
          absl::StrCat("config at sequence ", sequence,
                       ": its last update did not produce the supplied config")));
    }
    TxOutcome outcome = Verdict(::protos::VALID);
    outcome.new_bundle = proposed->bundle;
    return outcome;
  }

  const std::string& channel_id_;
  const LedgerView& ledger_;
  const ChannelConfig& bundle_;
  impl::BlockContext& block_;
  const uint64_t block_number_;
  const std::size_t index_;
};

// Counts finished transactions so Validate can wait for its own.
class Countdown {
 public:
  explicit Countdown(std::size_t count) : remaining_(count) {}
  void Done() {
    std::lock_guard lock(mu_);
    if (--remaining_ == 0) zero_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mu_);
    zero_.wait(lock, [this] { return remaining_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable zero_;
  std::size_t remaining_;
};

}  // namespace

std::size_t ValidatorPoolSize(int configured) {
  if (configured > 0) return static_cast<std::size_t>(configured);
  return std::max(1u, std::thread::hardware_concurrency());
}

Validator::Validator(std::string channel_id, const LedgerView& ledger,
                     common::concurrency::Executor& executor)
    : channel_id_(std::move(channel_id)), ledger_(ledger), executor_(executor) {}

StatusOr<BlockValidation> Validator::Validate(const ::common::Block& block,
                                              std::shared_ptr<const ChannelConfig> bundle) const {
  if (bundle == nullptr) return absl::InvalidArgumentError("no channel config to validate against");
  const std::size_t count = static_cast<std::size_t>(block.data().data_size());
  const uint64_t number = block.header().number();
  impl::BlockContext context(count);
  std::vector<TxOutcome> outcomes(count);
  Countdown countdown(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto run = [&, i] {
      TxValidation tx(channel_id_, ledger_, *bundle, context, number, i);
      outcomes[i] = tx.Run(block.data().data(static_cast<int>(i)));
      context.Finish(i, outcomes[i].error.ok() ? outcomes[i].code : ::protos::NOT_VALIDATED);
      countdown.Done();
    };
    Status submitted = executor_.Submit(run);
    if (!submitted.ok()) {
      outcomes[i] = Failure(Annotate(submitted, "scheduling transaction validation"));
      context.Finish(i, ::protos::NOT_VALIDATED);
      countdown.Done();
    }
  }
  countdown.Wait();

  BlockValidation result;
  result.codes.reserve(count);
  result.reasons.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    // The error of the first failing transaction, as Fabric reports it.
    if (!outcomes[i].error.ok()) {
      return Annotate(outcomes[i].error,
                      absl::StrCat("validating tx ", i, " of block ", number, " of ", channel_id_));
    }
    result.codes.push_back(outcomes[i].code);
    result.reasons.push_back(std::move(outcomes[i].reason));
    if (outcomes[i].new_bundle) {
      if (result.new_bundle) {
        return absl::InvalidArgumentError(
            absl::StrCat("block ", number, " of ", channel_id_, " has more than one config"));
      }
      result.new_bundle = std::move(outcomes[i].new_bundle);
    }
  }
  return result;
}

}  // namespace weft::peer::validator
