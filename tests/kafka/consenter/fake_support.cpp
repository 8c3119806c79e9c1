#include "tests/kafka/consenter/fake_support.h"

#include <algorithm>
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
  for (const auto& block : blocks)
    all.insert(all.end(), block.envelopes.begin(), block.envelopes.end());
  return all;
}

}  // namespace

FakeSupport::FakeSupport(std::shared_ptr<const common::channelconfig::ChannelConfig> config,
                         std::vector<WrittenBlock> ledger)
    : config_(std::move(config)),
      cutter_([config = config_] { return config->orderer()->batch_size; }),
      blocks_(std::move(ledger)) {}

uint64_t FakeSupport::Height() const {
  std::lock_guard lock(mu_);
  return blocks_.size() + 1;
}

std::string FakeSupport::LastConsenterMetadata() const {
  std::lock_guard lock(mu_);
  return blocks_.empty() ? std::string() : blocks_.back().consenter_metadata;
}

StatusOr<uint64_t> FakeSupport::RevalidateNormal(const ::common::Envelope&) const {
  return config_->sequence();
}

StatusOr<::common::Envelope> FakeSupport::RevalidateConfig(
    const ::common::Envelope& envelope) const {
  return envelope;
}

Status FakeSupport::WriteBlock(std::vector<::common::Envelope> batch,
                               std::string consenter_metadata) {
  std::lock_guard lock(mu_);
  blocks_.push_back(WrittenBlock{Payloads(batch), std::move(consenter_metadata), false});
  written_.notify_all();
  return absl::OkStatus();
}

Status FakeSupport::WriteConfigBlock(::common::Envelope config_envelope,
                                     std::string consenter_metadata) {
  std::lock_guard lock(mu_);
  blocks_.push_back(WrittenBlock{{config_envelope.payload()}, std::move(consenter_metadata), true});
  written_.notify_all();
  return absl::OkStatus();
}

std::vector<WrittenBlock> FakeSupport::Blocks() const {
  std::lock_guard lock(mu_);
  return blocks_;
}

std::vector<std::string> FakeSupport::Envelopes() const { return AllEnvelopes(Blocks()); }

bool FakeSupport::WaitForEnvelopes(const std::vector<std::string>& wanted,
                                   std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return written_.wait_for(lock, timeout, [&] {
    std::vector<std::string> all = AllEnvelopes(blocks_);
    return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& payload) {
      return std::find(all.begin(), all.end(), payload) != all.end();
    });
  });
}

::common::Envelope TestEnvelope(const std::string& payload) {
  ::common::Envelope envelope;
  envelope.set_payload(payload);
  return envelope;
}

}  // namespace weft::testing
