#include "orderer/multichannel/chain_support.h"

#include <fmt/format.h>

#include <utility>

#include "common/configtx.pb.h"
#include "common/crypto/random.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/serialize.h"

namespace weft::orderer::multichannel {
namespace {

using common::channelconfig::ChannelConfig;
using common::protoutil::DeterministicSerialize;
using common::protoutil::ParseMessage;

// BlockMetadataIndex ORDERER, deprecated in the proto; Fabric 2.x still fills it
// with the consenter metadata.
constexpr int kOrdererMetadataIndex = 3;

std::string WrapInMetadata(std::string value) {
  ::common::Metadata metadata;
  metadata.set_value(std::move(value));
  return DeterministicSerialize(metadata);
}

}  // namespace

ChainSupport::ChainSupport(std::string channel_id,
                           std::unique_ptr<common::ledger::blockstore::BlockStore> store,
                           const common::protoutil::Signer& signer,
                           msgprocessor::ConfigUpdateValidator validator,
                           std::shared_ptr<common::log::Logger> logger,
                           msgprocessor::StandardChannelOptions broadcast_filters,
                           std::shared_ptr<msp::EcdsaCounter> ecdsa_counter)
    : channel_id_(std::move(channel_id)),
      store_(std::move(store)),
      signer_(signer),
      ecdsa_counter_(std::move(ecdsa_counter)),
      logger_(std::move(logger)),
      cutter_([this] { return ChannelConfig()->orderer()->batch_size; }),
      processor_([this] { return ChannelConfig(); }, std::move(validator),
                 std::move(broadcast_filters)) {}

ChainSupport::~ChainSupport() { Halt(); }

StatusOr<std::unique_ptr<ChainSupport>> ChainSupport::Create(
    std::string channel_id, std::unique_ptr<common::ledger::blockstore::BlockStore> store,
    const common::protoutil::Signer& signer, msgprocessor::ConfigUpdateValidator validator,
    std::shared_ptr<common::log::Logger> logger,
    msgprocessor::StandardChannelOptions broadcast_filters,
    std::shared_ptr<msp::EcdsaCounter> ecdsa_counter) {
  std::unique_ptr<ChainSupport> support(
      new ChainSupport(std::move(channel_id), std::move(store), signer, std::move(validator),
                       std::move(logger), std::move(broadcast_filters), std::move(ecdsa_counter)));
  WEFT_RETURN_IF_ERROR(Annotate(support->Load(), "channel " + support->channel_id_));
  return support;
}

Status ChainSupport::Load() {
  const uint64_t height = store_->GetInfo().height;
  if (height == 0) return absl::FailedPreconditionError("the ledger holds no blocks");
  WEFT_ASSIGN_OR_RETURN(auto last_block, store_->RetrieveBlockByNumber(height - 1));
  WEFT_ASSIGN_OR_RETURN(auto orderer_metadata,
                        common::protoutil::ReadOrdererBlockMetadata(last_block));
  const uint64_t last_config_index = orderer_metadata.last_config().index();
  WEFT_ASSIGN_OR_RETURN(auto config_block, store_->RetrieveBlockByNumber(last_config_index));
  WEFT_ASSIGN_OR_RETURN(auto config, ChannelConfig::FromConfigBlock(config_block, ecdsa_counter_));
  if (config->channel_id() != channel_id_) {
    return absl::InvalidArgumentError(fmt::format("config block {} belongs to channel {}",
                                                  last_config_index, config->channel_id()));
  }
  if (!config->orderer().has_value()) {
    return absl::InvalidArgumentError("the channel config has no Orderer group");
  }
  std::string consenter_metadata;
  if (!orderer_metadata.consenter_metadata().empty()) {
    WEFT_ASSIGN_OR_RETURN(
        auto wrapped, ParseMessage<::common::Metadata>(orderer_metadata.consenter_metadata(),
                                                       "OrdererBlockMetadata.consenter_metadata"));
    consenter_metadata = wrapped.value();
  }

  std::lock_guard lock(mu_);
  config_ = std::move(config);
  last_config_index_ = last_config_index;
  last_header_ = last_block.header();
  height_ = height;
  last_consenter_metadata_ = std::move(consenter_metadata);
  return absl::OkStatus();
}

Status ChainSupport::AttachChain(consensus::Consenter& consenter) {
  WEFT_ASSIGN_OR_RETURN(chain_, consenter.HandleChain(*this));
  return absl::OkStatus();
}

std::stop_token ChainSupport::Errored() const {
  // chain_ is set once by AttachChain, before the registrar publishes this channel.
  return chain_ ? chain_->Errored() : std::stop_token();
}

std::shared_ptr<const ChannelConfig> ChainSupport::ChannelConfig() const {
  std::lock_guard lock(mu_);
  return config_;
}

uint64_t ChainSupport::Height() const {
  std::lock_guard lock(mu_);
  return height_;
}

uint64_t ChainSupport::LastConfigIndex() const {
  std::lock_guard lock(mu_);
  return last_config_index_;
}

std::string ChainSupport::LastConsenterMetadata() const {
  std::lock_guard lock(mu_);
  return last_consenter_metadata_;
}

StatusOr<uint64_t> ChainSupport::RevalidateNormal(const ::common::Envelope& envelope) const {
  return processor_.ProcessNormalMsg(envelope);
}

StatusOr<::common::Envelope> ChainSupport::RevalidateConfig(
    const ::common::Envelope& envelope) const {
  WEFT_ASSIGN_OR_RETURN(auto opened, common::protoutil::OpenEnvelope(envelope));
  if (opened.channel_header.type() == ::common::CONFIG_UPDATE) {
    WEFT_ASSIGN_OR_RETURN(auto message, processor_.ProcessConfigUpdateMsg(envelope));
    return std::move(message.config);
  }
  WEFT_ASSIGN_OR_RETURN(auto message, processor_.ProcessConfigMsg(envelope));
  return std::move(message.config);
}

Status ChainSupport::WriteBlock(std::vector<::common::Envelope> batch,
                                std::string consenter_metadata) {
  ::common::Block block;
  for (const auto& envelope : batch) {
    block.mutable_data()->add_data(DeterministicSerialize(envelope));
  }
  return Append(std::move(block), /*is_config=*/false, consenter_metadata);
}

Status ChainSupport::WriteConfigBlock(::common::Envelope config_envelope,
                                      std::string consenter_metadata) {
  ::common::Block block;
  block.mutable_data()->add_data(DeterministicSerialize(config_envelope));
  return Append(std::move(block), /*is_config=*/true, consenter_metadata);
}

void ChainSupport::ReportTo(ChainMetrics metrics) {
  metrics_ = metrics;
  if (metrics_.height != nullptr) {
    metrics_.height->Set(static_cast<double>(Height()), {channel_id_});
  }
}

Status ChainSupport::Append(::common::Block contents, bool is_config,
                            const std::string& consenter_metadata) {
  // Only the ordering thread writes, so the state read here cannot move until the
  // update below; the lock is not held while signing and storing.
  uint64_t number;
  uint64_t last_config_index;
  std::string previous_hash;
  std::shared_ptr<const common::channelconfig::ChannelConfig> current_config;
  {
    std::lock_guard lock(mu_);
    number = height_;
    last_config_index = last_config_index_;
    previous_hash = common::protoutil::BlockHeaderHash(last_header_);
    current_config = config_;
  }
  ::common::Block block = common::protoutil::NewBlock(number, std::move(previous_hash));
  *block.mutable_data() = std::move(*contents.mutable_data());
  block.mutable_header()->set_data_hash(common::protoutil::BlockDataHash(block.data()));

  std::shared_ptr<const common::channelconfig::ChannelConfig> new_config;
  if (is_config) {
    WEFT_ASSIGN_OR_RETURN(new_config, ConfigOf(block, *current_config));
    last_config_index = number;
  }
  WEFT_RETURN_IF_ERROR(Sign(block, last_config_index, consenter_metadata));

  // The new state is published before the block becomes visible in the store, so
  // whoever sees the block (a Deliver stream, a test) also sees the height and config
  // it implies; it is rolled back if the append fails.
  struct Published {
    ::common::BlockHeader last_header;
    uint64_t height;
    std::string consenter_metadata;
    std::shared_ptr<const common::channelconfig::ChannelConfig> config;
    uint64_t last_config_index;
  } previous;
  {
    std::lock_guard lock(mu_);
    previous = {last_header_, height_, last_consenter_metadata_, config_, last_config_index_};
    last_header_ = block.header();
    height_ = number + 1;
    last_consenter_metadata_ = consenter_metadata;
    if (is_config) {
      config_ = new_config;
      last_config_index_ = number;
    }
  }
  Status stored = store_->AddBlock(block);
  if (!stored.ok()) {
    std::lock_guard lock(mu_);
    last_header_ = previous.last_header;
    height_ = previous.height;
    last_consenter_metadata_ = previous.consenter_metadata;
    config_ = previous.config;
    last_config_index_ = previous.last_config_index;
    return Annotate(stored, fmt::format("appending block {} to channel {}", number, channel_id_));
  }
  if (metrics_.height != nullptr) {
    metrics_.height->Set(static_cast<double>(number + 1), {channel_id_});
  }
  if (metrics_.block_envelopes != nullptr) {
    metrics_.block_envelopes->Observe(block.data().data_size(), {channel_id_});
  }
  if (is_config && logger_) {
    logger_->Info("[channel: {}] wrote config block {}, config sequence {}", channel_id_, number,
                  new_config->sequence());
  } else if (logger_) {
    logger_->Debug("[channel: {}] wrote block {} with {} envelopes", channel_id_, number,
                   block.data().data_size());
  }
  return absl::OkStatus();
}

StatusOr<std::shared_ptr<const common::channelconfig::ChannelConfig>> ChainSupport::ConfigOf(
    const ::common::Block& block, const common::channelconfig::ChannelConfig& current) const {
  const uint64_t number = block.header().number();
  WEFT_ASSIGN_OR_RETURN(auto opened, common::protoutil::OpenEnvelope(block.data().data(0)));
  if (opened.channel_header.type() != ::common::CONFIG) {
    return absl::InvalidArgumentError(
        fmt::format("config block {} of channel {} needs a CONFIG envelope, got header type {}",
                    number, channel_id_, opened.channel_header.type()));
  }
  WEFT_ASSIGN_OR_RETURN(auto config_envelope,
                        ParseMessage<::common::ConfigEnvelope>(opened.data(), "CONFIG data"));
  WEFT_ASSIGN_OR_RETURN(auto config,
                        common::channelconfig::ChannelConfig::FromConfig(
                            channel_id_, config_envelope.config(), current.ecdsa_counter()));
  if (config->sequence() <= current.sequence()) {
    return absl::InvalidArgumentError(
        fmt::format("config block {} has sequence {}, not after the current sequence {}", number,
                    config->sequence(), current.sequence()));
  }
  // Fabric's BlockWriter.WriteConfigBlock refuses (panics on) a config without an
  // Orderer group; the cutter and consenters read it unchecked.
  if (!config->orderer().has_value()) {
    return absl::InvalidArgumentError(
        fmt::format("config block {} of channel {} has no Orderer group", number, channel_id_));
  }
  return config;
}

Status ChainSupport::Sign(::common::Block& block, uint64_t last_config_index,
                          const std::string& consenter_metadata) const {
  ::common::OrdererBlockMetadata orderer_metadata;
  orderer_metadata.mutable_last_config()->set_index(last_config_index);
  orderer_metadata.set_consenter_metadata(WrapInMetadata(consenter_metadata));
  const std::string value = DeterministicSerialize(orderer_metadata);
  WEFT_ASSIGN_OR_RETURN(std::string nonce, common::crypto::NewNonce());
  const std::string signature_header = DeterministicSerialize(
      common::protoutil::MakeSignatureHeader(signer_.SerializedIdentity(), std::move(nonce)));
  WEFT_ASSIGN_OR_RETURN(std::string signature, signer_.Sign(common::protoutil::BlockSignatureInput(
                                                   value, signature_header, block.header())));
  ::common::Metadata signatures;
  signatures.set_value(value);
  auto* entry = signatures.add_signatures();
  entry->set_signature_header(signature_header);
  entry->set_signature(std::move(signature));

  auto& slots = *block.mutable_metadata()->mutable_metadata();
  slots[::common::SIGNATURES] = DeterministicSerialize(signatures);
  ::common::LastConfig last_config;
  last_config.set_index(last_config_index);
  slots[common::protoutil::kLastConfigMetadataIndex] =
      WrapInMetadata(DeterministicSerialize(last_config));
  if (!consenter_metadata.empty())
    slots[kOrdererMetadataIndex] = WrapInMetadata(consenter_metadata);
  return absl::OkStatus();
}

void ChainSupport::Halt() {
  if (chain_) chain_->Halt();
  store_->Close();
}

}  // namespace weft::orderer::multichannel
