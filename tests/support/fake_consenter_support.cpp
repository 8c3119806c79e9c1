#include "tests/support/fake_consenter_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace weft::testing {
namespace {

std::vector<std::string> Payloads(const std::vector<::common::Envelope>& batch) {
  std::vector<std::string> payloads;
  for (const auto& envelope : batch) payloads.push_back(envelope.payload());
  return payloads;
}

std::vector<std::string> AllEnvelopes(const std::vector<WrittenBlock>& blocks) {
  std::vector<std::string> all;
  for (const auto& block : blocks) {
    all.insert(all.end(), block.envelopes.begin(), block.envelopes.end());
  }
  return all;
}

// A modelled CONFIG payload: "config key=K value=V read=R seq=S by=B nonce=N".
struct ModelUpdate {
  std::string key;
  std::string value;
  uint64_t read = 0;
  uint64_t sequence = 0;
  std::string signer;
  uint64_t nonce = 0;

  std::string Payload() const {
    return fmt::format("config key={} value={} read={} seq={} by={} nonce={}", key, value, read,
                       sequence, signer, nonce);
  }
};

[[nodiscard]] StatusOr<ModelUpdate> ParseUpdate(const std::string& payload) {
  std::istringstream words(payload);
  std::string word;
  std::map<std::string, std::string> fields;
  if (words >> word && word == "config") {
    while (words >> word) {
      const auto equals = word.find('=');
      if (equals == std::string::npos) break;
      fields[word.substr(0, equals)] = word.substr(equals + 1);
    }
  }
  for (const char* name : {"key", "value", "read", "seq", "by", "nonce"}) {
    if (!fields.count(name)) {
      return absl::InvalidArgumentError("not a modelled config update: '" + payload + "'");
    }
  }
  ModelUpdate update;
  update.key = fields["key"];
  update.value = fields["value"];
  update.read = std::stoull(fields["read"]);
  update.sequence = std::stoull(fields["seq"]);
  update.signer = fields["by"];
  update.nonce = std::stoull(fields["nonce"]);
  return update;
}

std::shared_ptr<const common::channelconfig::ChannelConfig> BuildBundle(
    const std::string& channel_id, const common::channelconfig::ChannelSpec& spec,
    uint64_t sequence) {
  auto config = common::channelconfig::BuildConfig(spec);
  if (!config.ok()) throw std::runtime_error(std::string(config.status().message()));
  config->set_sequence(sequence);
  auto bundle = common::channelconfig::ChannelConfig::FromConfig(channel_id, *config);
  if (!bundle.ok()) throw std::runtime_error(std::string(bundle.status().message()));
  return *bundle;
}

}  // namespace

FakeConsenterSupport::CountingCutter::CountingCutter(
    FakeConsenterSupport& owner, orderer::blockcutter::BatchSizeSource batch_size)
    : owner_(owner), cutter_(std::move(batch_size)) {}

orderer::consensus::BlockCutter::OrderedResult FakeConsenterSupport::CountingCutter::Ordered(
    ::common::Envelope envelope) {
  OrderedResult result = cutter_.Ordered(std::move(envelope));
  std::lock_guard lock(owner_.mu_);
  ++owner_.ordered_;
  owner_.changed_.notify_all();
  return result;
}

FakeConsenterSupport::FakeConsenterSupport(
    std::shared_ptr<const common::channelconfig::ChannelConfig> config,
    std::vector<WrittenBlock> ledger)
    : channel_id_(config->channel_id()),
      modelled_(false),
      cutter_(*this, [this] { return ChannelConfig()->orderer()->batch_size; }),
      config_(std::move(config)),
      blocks_(std::move(ledger)) {}

FakeConsenterSupport::FakeConsenterSupport(ConfigModel model, std::vector<WrittenBlock> ledger)
    : channel_id_(model.channel_id),
      modelled_(true),
      node_(model.node),
      cutter_(*this, [this] { return ChannelConfig()->orderer()->batch_size; }),
      config_(BuildBundle(model.channel_id, model.spec, 0)),
      spec_(std::move(model.spec)),
      blocks_(std::move(ledger)) {
  std::lock_guard lock(mu_);
  for (const auto& block : blocks_) {
    if (!block.config) continue;
    if (block.envelopes.size() != 1) throw std::runtime_error("a config block holds one envelope");
    if (Status applied = ApplyLocked(block.envelopes[0]); !applied.ok()) {
      throw std::runtime_error(std::string(applied.message()));
    }
  }
}

std::shared_ptr<const common::channelconfig::ChannelConfig> FakeConsenterSupport::ChannelConfig()
    const {
  std::lock_guard lock(mu_);
  return config_;
}

uint64_t FakeConsenterSupport::Height() const {
  std::lock_guard lock(mu_);
  return blocks_.size() + 1;
}

std::string FakeConsenterSupport::LastConsenterMetadata() const {
  std::lock_guard lock(mu_);
  return blocks_.empty() ? std::string() : blocks_.back().consenter_metadata;
}

StatusOr<uint64_t> FakeConsenterSupport::RevalidateNormal(
    const ::common::Envelope& envelope) const {
  {
    std::lock_guard lock(mu_);
    revalidated_.push_back(envelope.payload());
  }
  if (envelope.payload().starts_with("bad")) {
    return absl::PermissionDeniedError("envelope " + envelope.payload() +
                                       " is invalid under the current config");
  }
  return ChannelConfig()->sequence();
}

StatusOr<::common::Envelope> FakeConsenterSupport::RevalidateConfig(
    const ::common::Envelope& envelope) const {
  std::lock_guard lock(mu_);
  revalidated_.push_back(envelope.payload());
  if (modelled_) {
    WEFT_ASSIGN_OR_RETURN(ModelUpdate update, ParseUpdate(envelope.payload()));
    const uint64_t version = versions_.count(update.key) ? versions_.at(update.key) : 0;
    if (update.read != version) {
      return absl::FailedPreconditionError(
          fmt::format("config update of {} was computed against version {}, but it is at {}",
                      update.key, update.read, version));
    }
    update.sequence = config_->sequence() + 1;
    update.signer = node_;
    update.nonce = ++nonce_;
    ::common::Envelope revalidated;
    revalidated.set_payload(update.Payload());
    revalidated.set_signature("sig-" + node_);
    return revalidated;
  }
  ::common::Envelope revalidated = envelope;
  revalidated.set_payload(envelope.payload() + "-revalidated");
  return revalidated;
}

Status FakeConsenterSupport::WriteBlock(std::vector<::common::Envelope> batch,
                                        std::string consenter_metadata) {
  Append(WrittenBlock{Payloads(batch), std::move(consenter_metadata), false});
  return absl::OkStatus();
}

Status FakeConsenterSupport::WriteConfigBlock(::common::Envelope config_envelope,
                                              std::string consenter_metadata) {
  if (modelled_) {
    std::lock_guard lock(mu_);
    WEFT_RETURN_IF_ERROR(ApplyLocked(config_envelope.payload()));
  }
  Append(WrittenBlock{{config_envelope.payload()}, std::move(consenter_metadata), true});
  return absl::OkStatus();
}

void FakeConsenterSupport::Append(WrittenBlock block) {
  std::lock_guard lock(mu_);
  blocks_.push_back(std::move(block));
  changed_.notify_all();
}

std::vector<WrittenBlock> FakeConsenterSupport::Blocks() const {
  std::lock_guard lock(mu_);
  return blocks_;
}

std::vector<std::string> FakeConsenterSupport::Envelopes() const { return AllEnvelopes(Blocks()); }

std::vector<std::string> FakeConsenterSupport::Revalidated() const {
  std::lock_guard lock(mu_);
  return revalidated_;
}

bool FakeConsenterSupport::WaitForOrdered(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return ordered_ >= count; });
}

std::vector<WrittenBlock> FakeConsenterSupport::WaitForBlocks(
    size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return blocks_.size() >= count; });
  return blocks_;
}

bool FakeConsenterSupport::WaitForEnvelopes(const std::vector<std::string>& wanted,
                                            std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] {
    const std::vector<std::string> all = AllEnvelopes(blocks_);
    return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& payload) {
      return std::find(all.begin(), all.end(), payload) != all.end();
    });
  });
}

Status FakeConsenterSupport::ApplyLocked(const std::string& payload) {
  WEFT_ASSIGN_OR_RETURN(ModelUpdate update, ParseUpdate(payload));
  uint64_t& version = versions_[update.key];
  // Fabric applies a CONFIG envelope only to the config it was made from.
  if (update.sequence != config_->sequence() + 1 || update.read != version) {
    return absl::FailedPreconditionError(
        fmt::format("config update '{}' does not apply to sequence {} with {} at version {}",
                    payload, config_->sequence(), update.key, version));
  }
  common::channelconfig::ChannelSpec spec = spec_;
  if (update.key == "MaxMessageCount") {
    spec.orderer->batch_size.max_message_count = static_cast<uint32_t>(std::stoul(update.value));
  } else if (update.key == "BatchTimeout") {
    spec.orderer->batch_timeout = update.value;
  } else {
    return absl::InvalidArgumentError("the model has no config value " + update.key);
  }
  config_ = BuildBundle(channel_id_, spec, update.sequence);
  spec_ = std::move(spec);
  ++version;
  return absl::OkStatus();
}

::common::Envelope FakeConsenterSupport::ConfigUpdate(const std::string& key,
                                                      const std::string& value,
                                                      const std::string& signer) const {
  std::lock_guard lock(mu_);
  ModelUpdate update{
      key,    value,   versions_.count(key) ? versions_.at(key) : 0, config_->sequence() + 1,
      signer, ++nonce_};
  ::common::Envelope envelope;
  envelope.set_payload(update.Payload());
  envelope.set_signature("sig-" + signer);
  return envelope;
}

std::string FakeConsenterSupport::ConfigValue(const std::string& key) const {
  std::lock_guard lock(mu_);
  if (key == "MaxMessageCount") return std::to_string(spec_.orderer->batch_size.max_message_count);
  if (key == "BatchTimeout") return spec_.orderer->batch_timeout;
  return "";
}

uint64_t FakeConsenterSupport::ConfigVersion(const std::string& key) const {
  std::lock_guard lock(mu_);
  return versions_.count(key) ? versions_.at(key) : 0;
}

::common::Envelope TestEnvelope(const std::string& payload) {
  ::common::Envelope envelope;
  envelope.set_payload(payload);
  envelope.set_signature("sig");
  return envelope;
}

}  // namespace weft::testing
