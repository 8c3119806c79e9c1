#include "peer/cli/channel.h"

#include <absl/strings/escaping.h>
#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "client-sdk/endorser_client.h"
#include "client-sdk/orderer_client.h"
#include "client-sdk/peer_deliver_client.h"
#include "client-sdk/signer.h"
#include "common/channelconfig/channel_config.h"
#include "common/configtx.pb.h"
#include "common/configtx/update.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/proposal.h"
#include "peer/cli/chaincode.h"
#include "peer/query.pb.h"

namespace weft::peer::cli {
namespace {

constexpr int kStatusOk = 200;

// A system chaincode proposal as the CLI sends it (GOLANG spec type, Fabric's
// CreateProposalFromCIS), answered by peer.address.
[[nodiscard]] StatusOr<::protos::ProposalResponse> ProposeToPeer(const CliContext& context,
                                                                 std::string channel_id,
                                                                 std::string chaincode,
                                                                 std::vector<std::string> args,
                                                                 ::common::HeaderType header_type) {
  common::protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = std::move(channel_id);
  spec.chaincode_name = std::move(chaincode);
  spec.args = std::move(args);
  spec.chaincode_type = ::protos::ChaincodeSpec::GOLANG;
  spec.header_type = header_type;
  WEFT_ASSIGN_OR_RETURN(auto created, common::protoutil::CreateChaincodeProposal(
                                          spec, context.signer.SerializedIdentity()));
  WEFT_ASSIGN_OR_RETURN(auto signed_proposal,
                        common::protoutil::SignProposal(created.proposal, context.signer));
  WEFT_ASSIGN_OR_RETURN(
      auto endorser,
      client::EndorserClient::Connect(context.config.peer.address, context.PeerClientSettings()));
  return endorser->ProcessProposal(signed_proposal);
}

[[nodiscard]] StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(fmt::format("genesis block file not found open {}: {}",
                                           path.string(), std::strerror(errno)));
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Fabric's list.go and getinfo.go wording for a refused query.
[[nodiscard]] Status BadResponse(const ::protos::Response& response) {
  return absl::FailedPreconditionError(
      fmt::format("Received bad response, status {}: {}", response.status(), response.message()));
}

// Fabric's seekHelper: one position, BLOCK_UNTIL_READY, FAIL_IF_NOT_READY errors.
::orderer::SeekInfo SeekOne(const ::orderer::SeekPosition& position) {
  ::orderer::SeekInfo seek;
  *seek.mutable_start() = position;
  *seek.mutable_stop() = position;
  seek.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
  return seek;
}

// Reads the one block `seek` names, from the orderer when one is given, else
// from the peer's Deliver service.
[[nodiscard]] StatusOr<::common::Block> ReadBlock(const CliContext& context,
                                                  const OrdererFlags& orderer,
                                                  std::string_view channel_id,
                                                  const ::orderer::SeekInfo& seek) {
  const bool from_orderer = !orderer.address.empty();
  const auto settings =
      from_orderer ? OrdererClientSettings(orderer) : context.PeerClientSettings();
  const std::string& target = from_orderer ? orderer.address : context.config.peer.address;
  WEFT_ASSIGN_OR_RETURN(std::string tls_cert_hash, client::ClientTlsCertHash(settings.tls));
  WEFT_ASSIGN_OR_RETURN(auto request, client::CreateSeekEnvelope(channel_id, seek, context.signer,
                                                                 std::move(tls_cert_hash)));
  std::optional<::common::Block> received;
  auto keep = [&received](const ::common::Block& block) {
    received = block;
    return false;
  };
  StatusOr<::common::Status> status = absl::UnknownError("no deliver call");
  if (from_orderer) {
    WEFT_ASSIGN_OR_RETURN(auto client, client::OrdererClient::Connect(target, settings));
    status = client->Deliver(request, keep);
  } else {
    WEFT_ASSIGN_OR_RETURN(auto client, client::PeerDeliverClient::Connect(target, settings));
    status = client->Deliver(request, keep);
  }
  WEFT_RETURN_IF_ERROR(status.status());
  if (!received.has_value()) {
    return absl::NotFoundError(fmt::format("can't read the block from {}: status {}", target,
                                           ::common::Status_Name(*status)));
  }
  return *std::move(received);
}

::orderer::SeekPosition Specified(uint64_t number) {
  ::orderer::SeekPosition position;
  position.mutable_specified()->set_number(number);
  return position;
}

}  // namespace

[[nodiscard]] Status JoinChannel(const CliContext& context,
                                 const std::filesystem::path& block_path) {
  WEFT_ASSIGN_OR_RETURN(std::string block, ReadFile(block_path));
  auto response =
      ProposeToPeer(context, "", "cscc", {"JoinChain", std::move(block)}, ::common::CONFIG);
  if (!response.ok()) {
    return Status(response.status().code(), fmt::format("proposal failed (err: {})",
                                                        std::string(response.status().message())));
  }
  const auto& answer = response->response();
  if (answer.status() != 0 && answer.status() != kStatusOk) {
    return absl::FailedPreconditionError(fmt::format(
        "proposal failed (err: bad proposal response {}: {})", answer.status(), answer.message()));
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<std::vector<std::string>> ListChannels(const CliContext& context) {
  WEFT_ASSIGN_OR_RETURN(auto response, ProposeToPeer(context, "", "cscc", {"GetChannels"},
                                                     ::common::ENDORSER_TRANSACTION));
  if (response.response().status() != kStatusOk) return BadResponse(response.response());
  ::protos::ChannelQueryResponse channels;
  if (!channels.ParseFromString(response.response().payload())) {
    return absl::DataLossError("Cannot read channels list response: not a ChannelQueryResponse");
  }
  std::vector<std::string> ids;
  for (const auto& channel : channels.channels()) ids.push_back(channel.channel_id());
  return ids;
}

[[nodiscard]] StatusOr<::common::BlockchainInfo> GetChannelInfo(const CliContext& context,
                                                                std::string_view channel_id) {
  WEFT_ASSIGN_OR_RETURN(auto response, ProposeToPeer(context, std::string(channel_id), "qscc",
                                                     {"GetChainInfo", std::string(channel_id)},
                                                     ::common::ENDORSER_TRANSACTION));
  if (response.response().status() != kStatusOk) return BadResponse(response.response());
  ::common::BlockchainInfo info;
  if (!info.ParseFromString(response.response().payload())) {
    return absl::DataLossError("Cannot read qscc response: not a BlockchainInfo");
  }
  return info;
}

std::string BlockchainInfoJson(const ::common::BlockchainInfo& info) {
  // nlohmann::ordered_json keeps the struct's field order, as Go prints it.
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  if (info.height() != 0) json["height"] = info.height();
  if (!info.currentblockhash().empty()) {
    json["currentBlockHash"] = absl::Base64Escape(info.currentblockhash());
  }
  if (!info.previousblockhash().empty()) {
    json["previousBlockHash"] = absl::Base64Escape(info.previousblockhash());
  }
  return json.dump();
}

[[nodiscard]] StatusOr<::common::Block> FetchBlock(const CliContext& context,
                                                   const OrdererFlags& orderer,
                                                   std::string_view channel_id,
                                                   std::string_view target) {
  if (channel_id.empty()) return absl::InvalidArgumentError("channel id is required (-c)");
  ::orderer::SeekPosition newest;
  newest.mutable_newest();
  if (target == "newest") return ReadBlock(context, orderer, channel_id, SeekOne(newest));
  if (target == "oldest") {
    ::orderer::SeekPosition oldest;
    oldest.mutable_oldest();
    return ReadBlock(context, orderer, channel_id, SeekOne(oldest));
  }
  if (target == "config") {
    WEFT_ASSIGN_OR_RETURN(auto top, ReadBlock(context, orderer, channel_id, SeekOne(newest)));
    WEFT_ASSIGN_OR_RETURN(auto metadata, common::protoutil::ReadOrdererBlockMetadata(top));
    return ReadBlock(context, orderer, channel_id,
                     SeekOne(Specified(metadata.last_config().index())));
  }
  uint64_t number = 0;
  const auto [end, error] = std::from_chars(target.data(), target.data() + target.size(), number);
  if (error != std::errc() || end != target.data() + target.size() || target.empty()) {
    return absl::InvalidArgumentError(fmt::format("fetch target illegal: {}", target));
  }
  return ReadBlock(context, orderer, channel_id, SeekOne(Specified(number)));
}

}  // namespace weft::peer::cli

namespace weft::peer::cli {
namespace {

// create.go's InvalidCreateTx and ConfigTxFileNotFound texts.
[[nodiscard]] Status InvalidCreateTx(std::string_view why) {
  return absl::InvalidArgumentError(fmt::format("Invalid channel create transaction : {}", why));
}

[[nodiscard]] StatusOr<::common::Envelope> ReadConfigTxFile(const std::filesystem::path& file) {
  if (file.empty()) return InvalidCreateTx("No configtx file name supplied");
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        fmt::format("channel create configuration tx file not found open {}: {}", file.string(),
                    std::strerror(errno)));
  }
  ::common::Envelope envelope;
  if (!envelope.ParseFromIstream(&in)) {
    return absl::InvalidArgumentError(
        fmt::format("error unmarshalling Envelope: {} is not a common.Envelope", file.string()));
  }
  return envelope;
}

}  // namespace

[[nodiscard]] StatusOr<::common::Envelope> SanityCheckAndSignConfigTx(
    const ::common::Envelope& envelope, const msp::SigningIdentity& signer,
    std::string* channel_id) {
  ::common::Payload payload;
  if (!payload.ParseFromString(envelope.payload())) return InvalidCreateTx("bad payload");
  if (!payload.has_header() || payload.header().channel_header().empty()) {
    return InvalidCreateTx("bad header");
  }
  ::common::ChannelHeader header;
  if (!header.ParseFromString(payload.header().channel_header())) {
    return InvalidCreateTx("could not unmarshall channel header");
  }
  if (header.type() != ::common::CONFIG_UPDATE) return InvalidCreateTx("bad type");
  if (header.channel_id().empty()) return InvalidCreateTx("empty channel id");
  // -c is usually redundant: the header names the channel.
  if (channel_id->empty()) *channel_id = header.channel_id();
  if (header.channel_id() != *channel_id) {
    return InvalidCreateTx(
        fmt::format("mismatched channel ID {} != {}", header.channel_id(), *channel_id));
  }
  ::common::ConfigUpdateEnvelope update;
  if (!update.ParseFromString(payload.data())) return InvalidCreateTx("Bad config update env");
  WEFT_ASSIGN_OR_RETURN(auto signature,
                        common::configtx::CreateConfigSignature(update.config_update(), signer));
  *update.add_signatures() = std::move(signature);
  return common::protoutil::CreateSignedEnvelope(::common::CONFIG_UPDATE, *channel_id, signer,
                                                 update.SerializeAsString());
}

[[nodiscard]] Status SignConfigTxFile(const CliContext& context,
                                      const std::filesystem::path& file) {
  WEFT_ASSIGN_OR_RETURN(auto envelope, ReadConfigTxFile(file));
  std::string channel_id;
  WEFT_ASSIGN_OR_RETURN(auto signed_envelope,
                        SanityCheckAndSignConfigTx(envelope, context.signer, &channel_id));
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out || !signed_envelope.SerializeToOstream(&out) || !out.flush()) {
    return absl::UnavailableError(
        fmt::format("cannot write the signed config update to {}", file.string()));
  }
  std::filesystem::permissions(
      file,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
          std::filesystem::perms::group_read | std::filesystem::perms::group_write,
      std::filesystem::perm_options::replace);
  return absl::OkStatus();
}

[[nodiscard]] Status UpdateChannel(const CliContext& context, const OrdererFlags& orderer,
                                   std::string_view channel_id, const std::filesystem::path& file) {
  if (channel_id.empty()) return absl::InvalidArgumentError("Must supply channel ID");
  WEFT_ASSIGN_OR_RETURN(auto envelope, ReadConfigTxFile(file));
  std::string channel(channel_id);
  WEFT_ASSIGN_OR_RETURN(auto signed_envelope,
                        SanityCheckAndSignConfigTx(envelope, context.signer, &channel));
  if (orderer.address.empty()) {
    return absl::InvalidArgumentError(
        "orderer is required: pass the ordering service endpoint with -o");
  }
  auto client = client::OrdererClient::Connect(orderer.address, OrdererClientSettings(orderer));
  if (!client.ok()) {
    return Status(client.status().code(), fmt::format("Error getting broadcast client: {}",
                                                      std::string(client.status().message())));
  }
  auto response = (*client)->Submit(signed_envelope);
  if (!response.ok()) {
    return Status(response.status().code(), fmt::format("could not send to orderer node: {}",
                                                        std::string(response.status().message())));
  }
  if (response->status() != ::common::SUCCESS) {
    // broadcastclient.go getAck.
    return absl::FailedPreconditionError(fmt::format("got unexpected status: {} -- {}",
                                                     ::common::Status_Name(response->status()),
                                                     response->info()));
  }
  return absl::OkStatus();
}

[[nodiscard]] StatusOr<std::vector<std::string>> GetOrdererEndpointOfChain(
    const CliContext& context, std::string_view channel_id) {
  auto response = ProposeToPeer(context, "", "cscc", {"GetChannelConfig", std::string(channel_id)},
                                ::common::CONFIG);
  if (!response.ok()) {
    return Status(response.status().code(), fmt::format("error endorsing GetChannelConfig: {}",
                                                        std::string(response.status().message())));
  }
  const auto& answer = response->response();
  if (answer.status() != 0 && answer.status() != kStatusOk) {
    return absl::FailedPreconditionError(
        fmt::format("error bad proposal response {}: {}", answer.status(), answer.message()));
  }
  ::common::Config config;
  if (!config.ParseFromString(answer.payload())) {
    return absl::DataLossError("error unmarshalling channel config");
  }
  auto bundle = common::channelconfig::ChannelConfig::FromConfig(std::string(channel_id), config);
  if (!bundle.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("error loading channel config: {}", std::string(bundle.status().message())));
  }
  return (*bundle)->orderer_addresses();
}

[[nodiscard]] StatusOr<OrdererFlags> ResolveOrderer(const CliContext& context,
                                                    const OrdererFlags& orderer,
                                                    const PeerTargets& peers,
                                                    std::string_view channel_id,
                                                    std::ostream& log) {
  if (!orderer.address.empty()) return orderer;
  auto endpoints = GetOrdererEndpointOfChain(FirstPeerContext(context, peers), channel_id);
  if (!endpoints.ok()) {
    return Status(endpoints.status().code(),
                  fmt::format("error getting channel ({}) orderer endpoint: {}", channel_id,
                              std::string(endpoints.status().message())));
  }
  if (endpoints->empty()) {
    return absl::FailedPreconditionError(fmt::format(
        "no orderer endpoints retrieved for channel {}, pass orderer endpoint with -o flag instead",
        channel_id));
  }
  log << "Retrieved channel (" << channel_id << ") orderer endpoint: " << endpoints->front()
      << "\n";
  OrdererFlags resolved = orderer;
  resolved.address = endpoints->front();
  return resolved;
}

}  // namespace weft::peer::cli
