#include "orderer/participation/participation_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "common/channelconfig/channel_config.h"
#include "common/common.pb.h"
#include "fmt/format.h"

namespace weft::orderer::participation {
namespace {

// Keys in Fabric's field order (types.ChannelInfo, types.ChannelList).
using Json = nlohmann::ordered_json;

constexpr size_t kMaxChannelIdLength = 249;  // Fabric's configtx.MaxLength

std::string ChannelUrl(std::string_view name) { return fmt::format("{}/{}", kChannelsPath, name); }

Json ChannelJson(const multichannel::ChannelInfo& info) {
  return {{"name", info.name},
          {"url", ChannelUrl(info.name)},
          {"consensusRelation", info.consensus_relation},
          {"status", info.status},
          {"height", info.height}};
}

Response Ok(int status, const Json& body) {
  Response response{status, body.dump(), {}};
  return response;
}

// Fabric's configtx.ValidateChannelID: [a-z][a-z0-9.-]*, 1..249 characters; the
// empty string when valid, else Fabric's message.
std::string ChannelIdProblem(std::string_view id) {
  if (id.empty()) return "channel ID illegal, cannot be empty";
  if (id.size() > kMaxChannelIdLength) {
    return fmt::format("channel ID illegal, cannot be longer than {}", kMaxChannelIdLength);
  }
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  };
  if (id[0] < 'a' || id[0] > 'z' || !std::all_of(id.begin(), id.end(), allowed)) {
    return fmt::format("'{}' contains illegal characters", id);
  }
  return "";
}

// Fabric's protoutil.IsConfigBlock: one envelope whose channel header says CONFIG.
bool IsConfigBlock(const ::common::Block& block) {
  if (block.data().data_size() != 1) return false;
  ::common::Envelope envelope;
  ::common::Payload payload;
  ::common::ChannelHeader header;
  return envelope.ParseFromString(block.data().data(0)) &&
         payload.ParseFromString(envelope.payload()) && payload.has_header() &&
         header.ParseFromString(payload.header().channel_header()) &&
         header.type() == ::common::CONFIG;
}

// Fabric's ValidateJoinBlock: a config block whose config builds into a bundle for a
// valid channel id and has an Application group (Weft has no system channel).
[[nodiscard]] Status ValidateJoinBlock(const ::common::Block& block) {
  if (!IsConfigBlock(block)) return absl::InvalidArgumentError("block is not a config block");
  auto contents = common::channelconfig::OpenConfigBlock(block);
  if (!contents.ok()) return contents.status();
  if (std::string problem = ChannelIdProblem(contents->channel_id); !problem.empty()) {
    return absl::InvalidArgumentError("bad channel ID: " + problem);
  }
  WEFT_ASSIGN_OR_RETURN(auto config, common::channelconfig::ChannelConfig::FromConfigBlock(block));
  if (!config->application().has_value()) {
    return absl::InvalidArgumentError(
        "invalid config: must have at least one of application or consortiums");
  }
  return absl::OkStatus();
}

}  // namespace

std::string Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

ParticipationApi::ParticipationApi(multichannel::Registrar& registrar) : registrar_(registrar) {}

Response ParticipationApi::Error(int status, std::string_view message) {
  return Ok(status, Json{{"error", message}});
}

Response ParticipationApi::BodyTooLarge(uint64_t max_request_body_size) {
  // Fabric reads the form through http.MaxBytesReader and answers its error with 400.
  return Error(400, fmt::format("cannot read form from request body: http: request body too "
                                "large (ChannelParticipation.MaxRequestBodySize is {} bytes)",
                                max_request_body_size));
}

Response ParticipationApi::MethodNotAllowed(std::string_view method, bool on_one_channel) {
  Response response = Error(405, fmt::format("invalid request method: {}", method));
  response.headers.emplace_back("Allow", on_one_channel ? "GET, DELETE" : "GET, POST");
  return response;
}

Response ParticipationApi::UnsupportedContentType(const std::vector<std::string>& content_types) {
  // Go prints the header's []string as [a b].
  return Error(400, fmt::format("unsupported Content-Type: [{}]", fmt::join(content_types, " ")));
}

bool ParticipationApi::AcceptsJson(std::string_view accept) {
  if (accept.empty()) return true;
  for (std::string_view wanted : {"application/json", "application/*", "*/*"}) {
    if (accept.find(wanted) != std::string_view::npos) return true;
  }
  return false;
}

Response ParticipationApi::NotAcceptable() {
  return Error(406, "response Content-Type is application/json only");
}

Response ParticipationApi::RedirectToChannels() {
  Response response{302, "", {}};
  response.headers.emplace_back("Location", kChannelsPath);
  return response;
}

Response ParticipationApi::ListChannels() const {
  // Fabric's ChannelList leaves Channels nil, so JSON null, when there are none.
  Json channels = nullptr;
  for (const auto& info : registrar_.ListChannels()) {
    channels.push_back({{"name", info.name}, {"url", ChannelUrl(info.name)}});
  }
  Response response = Ok(200, Json{{"systemChannel", nullptr}, {"channels", channels}});
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Response ParticipationApi::GetChannel(std::string_view channel_id) const {
  if (std::string problem = ChannelIdProblem(channel_id); !problem.empty()) {
    return Error(400, "invalid channel ID: " + problem);
  }
  auto info = registrar_.GetChannelInfo(channel_id);
  if (!info.ok()) {
    // Fabric's registrar answers types.ErrChannelNotExist, which restapi passes on.
    if (info.status().code() == absl::StatusCode::kNotFound) {
      return Error(404, "channel does not exist");
    }
    return Error(404, std::string(info.status().message()));
  }
  Response response = Ok(200, ChannelJson(*info));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Response ParticipationApi::JoinChannelForm(const std::vector<FormPart>& parts) {
  std::set<std::string, std::less<>> files;
  size_t values = 0;
  const FormPart* config_block = nullptr;
  for (const auto& part : parts) {
    if (part.name.empty()) continue;  // ReadForm skips parts without a form name
    if (part.filename.empty()) {
      ++values;
      continue;
    }
    files.insert(part.name);
    if (part.name == kConfigBlockField && config_block == nullptr) config_block = &part;
  }
  if (config_block == nullptr) {
    return Error(400, fmt::format("form does not contains part key: {}", kConfigBlockField));
  }
  if (files.size() != 1 || values != 0) return Error(400, "form contains too many parts");
  return JoinChannel(config_block->content);
}

Response ParticipationApi::JoinChannel(std::string_view config_block) {
  ::common::Block block;
  if (!block.ParseFromArray(config_block.data(), static_cast<int>(config_block.size()))) {
    return Error(400, fmt::format("cannot unmarshal file part {} into a block: not a valid "
                                  "common.Block",
                                  kConfigBlockField));
  }
  if (Status valid = ValidateJoinBlock(block); !valid.ok()) {
    return Error(400, fmt::format("invalid join block: {}", std::string(valid.message())));
  }
  auto info = registrar_.JoinChannel(block);
  if (!info.ok()) {
    if (info.status().code() == absl::StatusCode::kAlreadyExists) {
      const std::string channel_id = common::channelconfig::OpenConfigBlock(block)->channel_id;
      if (registrar_.GetChannelInfo(channel_id).ok()) {
        // Fabric: joining an existing channel is a method not allowed on it; GET and
        // DELETE are.
        Response response = Error(405, "cannot join: channel already exists");
        response.headers.emplace_back("Allow", "GET, DELETE");
        return response;
      }
    }
    // Fabric's sendJoinError default branch.
    return Error(400, fmt::format("cannot join: {}", std::string(info.status().message())));
  }
  Response response = Ok(201, ChannelJson(*info));
  response.headers.emplace_back("Location", ChannelUrl(info->name));
  return response;
}

Response ParticipationApi::RemoveChannel(std::string_view channel_id) {
  if (std::string problem = ChannelIdProblem(channel_id); !problem.empty()) {
    return Error(400, "invalid channel ID: " + problem);
  }
  Status removed = registrar_.RemoveChannel(channel_id);
  if (removed.ok()) return {204, "", {}};
  if (removed.code() == absl::StatusCode::kNotFound) {
    return Error(404, "cannot remove: channel does not exist");
  }
  // Fabric's serveRemove default branch.
  return Error(400, fmt::format("cannot remove: {}", std::string(removed.message())));
}

}  // namespace weft::orderer::participation
