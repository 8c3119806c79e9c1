#include "tests/support/fake_consenter_support.h"

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
  for (const auto& block : blocks) {
    all.insert(all.end(), block.envelopes.begin(), block.envelopes.end());
  }
  return all;
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
    : config_(std::move(config)),
      cutter_(*this, [config = config_] { return config->orderer()->batch_size; }),
      blocks_(std::move(ledger)) {}

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
  return config_->sequence();
}

StatusOr<::common::Envelope> FakeConsenterSupport::RevalidateConfig(
    const ::common::Envelope& envelope) const {
  {
    std::lock_guard lock(mu_);
    revalidated_.push_back(envelope.payload());
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

::common::Envelope TestEnvelope(const std::string& payload) {
  ::common::Envelope envelope;
  envelope.set_payload(payload);
  envelope.set_signature("sig");
  return envelope;
}

}  // namespace weft::testing
