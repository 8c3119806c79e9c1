#include "orderer/multichannel/registrar.h"

#include <fmt/format.h>

#include <chrono>
#include <system_error>
#include <thread>
#include <utility>

#include "common/channelconfig/capabilities.h"
#include "common/channelconfig/channel_config.h"
#include "common/configtx/validator.h"

namespace weft::orderer::multichannel {
namespace {

namespace blockstore = common::ledger::blockstore;
namespace fs = std::filesystem;

constexpr size_t kMaxChannelIdLength = 249;
constexpr auto kReleaseTimeout = std::chrono::seconds(10);

// Fabric's channel name rule; it also keeps the id safe as a directory name.
[[nodiscard]] Status CheckChannelId(std::string_view id) {
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  };
  bool ok = !id.empty() && id.size() <= kMaxChannelIdLength && id[0] >= 'a' && id[0] <= 'z';
  for (char c : id) ok = ok && allowed(c);
  if (!ok) {
    return absl::InvalidArgumentError(fmt::format(
        "channel id '{}' is invalid: it must match [a-z][a-z0-9.-]* and be shorter than 250 "
        "characters",
        id));
  }
  return absl::OkStatus();
}

ChannelInfo InfoOf(const ChainSupport& chain) {
  ChannelInfo info;
  info.name = chain.ChannelId();
  info.height = chain.Height();
  return info;
}

}  // namespace

Registrar::Registrar(RegistrarOptions options)
    : options_(std::move(options)), validator_(options_.config_update_validator) {
  if (options_.loggers == nullptr) {
    own_loggers_ = std::make_unique<common::log::LoggerFactory>();
    options_.loggers = own_loggers_.get();
  }
  logger_ = options_.loggers->Get("orderer.common.multichannel");
  if (options_.metrics != nullptr) {
    auto height = options_.metrics->NewGauge(
        {"ledger_blockchain_height", "Height of the chain in blocks.", {"channel"}});
    auto envelopes = options_.metrics->NewHistogram(
        {{"blockcutter_block_envelopes", "Envelopes per block written.", {"channel"}},
         {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}});
    if (height.ok()) chain_metrics_.height = *height;
    if (envelopes.ok()) chain_metrics_.block_envelopes = *envelopes;
  }
  if (!validator_) {
    validator_ = [signer = options_.signer](const common::channelconfig::ChannelConfig& current,
                                            const ::common::Envelope& config_update) {
      return common::configtx::ValidateConfigUpdate(current, config_update, *signer);
    };
  }
}

Registrar::~Registrar() { HaltAll(); }

fs::path Registrar::ChainDir(std::string_view channel_id) const {
  return options_.ledger_dir / "chains" / std::string(channel_id);
}

StatusOr<std::shared_ptr<ChainSupport>> Registrar::OpenChain(const std::string& channel_id,
                                                             const ::common::Block* genesis) {
  if (options_.signer == nullptr || options_.consenters == nullptr) {
    return absl::FailedPreconditionError("the registrar needs a signer and consenters");
  }
  blockstore::FileBlockStoreOptions store_options;
  store_options.dir = ChainDir(channel_id);
  store_options.fsync = options_.fsync;
  WEFT_ASSIGN_OR_RETURN(std::unique_ptr<blockstore::FileBlockStore> store,
                        blockstore::FileBlockStore::Open(store_options));
  if (genesis != nullptr) {
    WEFT_RETURN_IF_ERROR(Annotate(store->AddBlock(*genesis), "storing the join block"));
  } else if (store->GetInfo().height == 0) {
    return absl::NotFoundError(fmt::format("channel {} has an empty ledger", channel_id));
  }
  WEFT_ASSIGN_OR_RETURN(
      std::shared_ptr<ChainSupport> chain,
      ChainSupport::Create(channel_id, std::move(store), *options_.signer, validator_, logger_,
                           options_.broadcast_filters, options_.ecdsa_counter));
  const std::string& type = chain->ChannelConfig()->orderer()->consensus_type;
  auto consenter = options_.consenters->find(type);
  if (consenter == options_.consenters->end()) {
    chain->Halt();
    return absl::InvalidArgumentError(
        fmt::format("channel {} uses consensus type '{}', which this orderer does not offer",
                    channel_id, type));
  }
  if (Status attached = chain->AttachChain(*consenter->second); !attached.ok()) {
    chain->Halt();
    return Annotate(attached, fmt::format("starting the {} chain of channel {}", type, channel_id));
  }
  chain->ReportTo(chain_metrics_);
  chain->Chain().Start();
  logger_->Info("[channel: {}] started {} chain at height {}", channel_id, type, chain->Height());
  return chain;
}

Status Registrar::Initialize() {
  const fs::path chains = options_.ledger_dir / "chains";
  std::error_code error;
  fs::create_directories(chains, error);
  if (error) {
    return absl::InternalError(
        fmt::format("cannot create ledger directory {}: {}", chains.string(), error.message()));
  }
  std::lock_guard lock(mu_);
  for (const auto& entry : fs::directory_iterator(chains, error)) {
    if (!entry.is_directory()) continue;
    const std::string channel_id = entry.path().filename().string();
    if (chains_.contains(channel_id)) continue;
    auto chain = OpenChain(channel_id, nullptr);
    if (chain.status().code() == absl::StatusCode::kNotFound) {
      logger_->Warn("[channel: {}] removing ledger left empty by an interrupted join", channel_id);
      fs::remove_all(entry.path(), error);
      continue;
    }
    WEFT_RETURN_IF_ERROR(Annotate(chain.status(), "reopening channel " + channel_id));
    chains_.emplace(channel_id, *std::move(chain));
  }
  if (error) {
    return absl::InternalError(
        fmt::format("cannot list ledger directory {}: {}", chains.string(), error.message()));
  }
  return absl::OkStatus();
}

StatusOr<ChannelInfo> Registrar::JoinChannel(const ::common::Block& config_block) {
  auto contents = common::channelconfig::OpenConfigBlock(config_block);
  if (!contents.ok()) {
    return absl::InvalidArgumentError(fmt::format("the join block is not a config block: {}",
                                                  std::string(contents.status().message())));
  }
  const std::string& channel_id = contents->channel_id;
  WEFT_RETURN_IF_ERROR(CheckChannelId(channel_id));

  std::lock_guard lock(mu_);
  if (chains_.contains(channel_id)) {
    return absl::AlreadyExistsError(fmt::format("channel {} is already joined", channel_id));
  }
  if (config_block.header().number() != 0) {
    return absl::UnimplementedError(fmt::format(
        "joining channel {} with config block {} needs onboarding from other orderers, which is "
        "not supported; join with the genesis block",
        channel_id, config_block.header().number()));
  }
  auto config =
      common::channelconfig::ChannelConfig::FromConfigBlock(config_block, options_.ecdsa_counter);
  if (!config.ok()) {
    return absl::InvalidArgumentError(fmt::format("the join block of channel {} is invalid: {}",
                                                  channel_id,
                                                  std::string(config.status().message())));
  }
  // Fabric's newLedgerResources -> checkResources: an Orderer group and only
  // capabilities this orderer implements.
  WEFT_RETURN_IF_ERROR(Annotate(common::channelconfig::CheckOrdererResources(**config),
                                fmt::format("the config of channel {}", channel_id)));
  const std::string& type = (*config)->orderer()->consensus_type;
  if (options_.consenters == nullptr || !options_.consenters->contains(type)) {
    return absl::InvalidArgumentError(
        fmt::format("channel {} uses consensus type '{}', which this orderer does not offer",
                    channel_id, type));
  }

  std::error_code error;
  if (fs::exists(ChainDir(channel_id), error)) {
    // Never overwrite a ledger: it belongs to a channel Initialize has not reopened.
    return absl::AlreadyExistsError(fmt::format("a ledger for channel {} already exists in {}",
                                                channel_id, ChainDir(channel_id).string()));
  }
  auto chain = OpenChain(channel_id, &config_block);
  if (!chain.ok()) {
    fs::remove_all(ChainDir(channel_id), error);
    return chain.status();
  }
  ChannelInfo info = InfoOf(**chain);
  chains_.emplace(channel_id, *std::move(chain));
  logger_->Info("[channel: {}] joined", channel_id);
  return info;
}

Status Registrar::RemoveChannel(std::string_view channel_id) {
  std::shared_ptr<ChainSupport> chain;
  {
    std::lock_guard lock(mu_);
    auto it = chains_.find(channel_id);
    if (it == chains_.end()) {
      return absl::NotFoundError(fmt::format("channel {} is not joined", channel_id));
    }
    chain = std::move(it->second);
    chains_.erase(it);
  }
  chain->Halt();
  // Streams still holding the channel were woken by the closed ledger; the ledger's
  // files stay open until the last holder lets go, so wait for that before deleting.
  const auto give_up = std::chrono::steady_clock::now() + kReleaseTimeout;
  while (chain.use_count() > 1 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (chain.use_count() > 1) {
    logger_->Warn("[channel: {}] still in use after removal; its ledger files stay open",
                  channel_id);
  }
  chain.reset();
  std::error_code error;
  fs::remove_all(ChainDir(channel_id), error);
  if (error) {
    return absl::InternalError(
        fmt::format("channel {} was halted but its ledger could not be "
                    "deleted: {}",
                    channel_id, error.message()));
  }
  logger_->Info("[channel: {}] removed", channel_id);
  return absl::OkStatus();
}

std::vector<ChannelInfo> Registrar::ListChannels() const {
  std::lock_guard lock(mu_);
  std::vector<ChannelInfo> infos;
  infos.reserve(chains_.size());
  for (const auto& [id, chain] : chains_) infos.push_back(InfoOf(*chain));
  return infos;
}

StatusOr<ChannelInfo> Registrar::GetChannelInfo(std::string_view channel_id) const {
  auto chain = FindChain(channel_id);
  if (chain == nullptr) {
    return absl::NotFoundError(fmt::format("channel {} is not joined", channel_id));
  }
  return InfoOf(*chain);
}

ChainSupport* Registrar::GetChain(std::string_view channel_id) {
  return FindChain(channel_id).get();
}

std::shared_ptr<ChainSupport> Registrar::FindChain(std::string_view channel_id) const {
  std::lock_guard lock(mu_);
  auto it = chains_.find(channel_id);
  return it == chains_.end() ? nullptr : it->second;
}

std::shared_ptr<common::deliver::DeliverSource> Registrar::FindSource(
    std::string_view channel_id) const {
  return FindChain(channel_id);
}

void Registrar::HaltAll() {
  std::lock_guard lock(mu_);
  for (auto& [id, chain] : chains_) chain->Halt();
}

}  // namespace weft::orderer::multichannel
