#include "orderer/participation/participation_api.h"

#include <nlohmann/json.hpp>

#include "fmt/format.h"

namespace weft::orderer::participation {
namespace {

nlohmann::json ChannelJson(const multichannel::ChannelInfo& info) {
  return {{"name", info.name},
          {"url", fmt::format("{}/{}", kChannelsPath, info.name)},
          {"consensusRelation", info.consensus_relation},
          {"status", info.status},
          {"height", info.height}};
}

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
      return 409;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kFailedPrecondition:
      return 405;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace

ParticipationApi::ParticipationApi(multichannel::Registrar& registrar) : registrar_(registrar) {}

Response ParticipationApi::Error(int status, std::string_view message) {
  return {status, nlohmann::json{{"error", message}}.dump()};
}

Response ParticipationApi::BodyTooLarge(uint64_t max_request_body_size) {
  return Error(413, fmt::format("request body is larger than {} bytes "
                                "(ChannelParticipation.MaxRequestBodySize)",
                                max_request_body_size));
}

Response ParticipationApi::MethodNotAllowed(std::string_view allowed) {
  return Error(405, fmt::format("method not allowed; allowed: {}", allowed));
}

Response ParticipationApi::ListChannels() const {
  nlohmann::json channels = nlohmann::json::array();
  for (const auto& info : registrar_.ListChannels()) {
    channels.push_back(
        {{"name", info.name}, {"url", fmt::format("{}/{}", kChannelsPath, info.name)}});
  }
  return {200, nlohmann::json{{"systemChannel", nullptr}, {"channels", channels}}.dump()};
}

Response ParticipationApi::GetChannel(std::string_view channel_id) const {
  auto info = registrar_.GetChannelInfo(channel_id);
  if (!info.ok()) return Error(HttpStatusFor(info.status()), std::string(info.status().message()));
  return {200, ChannelJson(*info).dump()};
}

Response ParticipationApi::JoinChannel(std::string_view config_block) {
  ::common::Block block;
  if (config_block.empty()) {
    return Error(400, "request has no config-block file");
  }
  if (!block.ParseFromArray(config_block.data(), static_cast<int>(config_block.size()))) {
    return Error(400, "config-block is not a valid common.Block");
  }
  auto info = registrar_.JoinChannel(block);
  if (!info.ok()) return Error(HttpStatusFor(info.status()), std::string(info.status().message()));
  return {201, ChannelJson(*info).dump()};
}

Response ParticipationApi::RemoveChannel(std::string_view channel_id) {
  Status removed = registrar_.RemoveChannel(channel_id);
  if (!removed.ok()) return Error(HttpStatusFor(removed), std::string(removed.message()));
  return {204, ""};
}

}  // namespace weft::orderer::participation
