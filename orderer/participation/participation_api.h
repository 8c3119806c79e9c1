// The channel participation API (Fabric 2.3+, /participation/v1/channels), which
// Weft offers for every consensus type: join a channel with its config block, list
// channels, show one, remove one. There is no system channel. Statuses, headers and
// error texts are those of Fabric 2.5's orderer/common/channelparticipation/restapi.go:
//
//   GET    /participation/v1/channels          200 {"systemChannel":null,"channels":[{name,url}]}
//                                              (channels is null when there are none)
//   GET    /participation/v1/channels/{name}   200 {name,url,consensusRelation,status,height} |
//                                              400 bad name | 404
//   POST   /participation/v1/channels          multipart form with exactly one part, the file
//                                              "config-block": 201 channel info + Location |
//                                              400 (bad content type, form, block or join) |
//                                              405 + Allow "GET, DELETE" when already joined
//   DELETE /participation/v1/channels/{name}   204 | 400 bad name | 404
//   other methods                              405 + Allow "GET, POST" or "GET, DELETE"
//   GET    /participation/v1/                  302 to /participation/v1/channels
// GET responses carry Cache-Control: no-store; an Accept header that excludes JSON is a
// 406. Errors are {"error":"<what went wrong>"}; a request body larger than
// ChannelParticipation.MaxRequestBodySize is a 400, as Fabric's MaxBytesReader makes it.
//
// Transport-free: the HTTP adapter in orderer/node maps requests onto these calls and
// sends `headers` plus Content-Type: application/json with every body.
// Thread-safety: safe for concurrent use (the registrar serialises changes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orderer/multichannel/registrar.h"

namespace weft::orderer::participation {

inline constexpr char kBasePath[] = "/participation/v1/";
inline constexpr char kChannelsPath[] = "/participation/v1/channels";
inline constexpr char kConfigBlockField[] = "config-block";

struct Response {
  int status = 200;
  std::string body;  // JSON, or empty for 204 and 302
  // Extra headers: Allow, Location, Cache-Control.
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of header `name` (exact case), or empty.
  std::string Header(std::string_view name) const;
};

// One part of a multipart form as the HTTP layer parsed it; a part with a file name
// is a file, one without is a value (Go's multipart.Reader.ReadForm).
struct FormPart {
  std::string name;
  std::string filename;
  std::string content;
};

class ParticipationApi {
 public:
  // `registrar` must outlive the API.
  explicit ParticipationApi(multichannel::Registrar& registrar);

  Response ListChannels() const;
  Response GetChannel(std::string_view channel_id) const;
  // Checks the form's parts as Fabric does (the "config-block" file and nothing
  // else), then joins with that file.
  Response JoinChannelForm(const std::vector<FormPart>& parts);
  // `config_block` is the serialized common.Block uploaded by the operator.
  Response JoinChannel(std::string_view config_block);
  Response RemoveChannel(std::string_view channel_id);

  // 405 for `method` on the channels collection or on one channel.
  static Response MethodNotAllowed(std::string_view method, bool on_one_channel);
  // 400 for a POST that is not multipart/form-data; `content_types` are the request's
  // Content-Type header values.
  static Response UnsupportedContentType(const std::vector<std::string>& content_types);
  // Fabric's negotiateContentType: no Accept header, or one naming application/json,
  // application/* or */*.
  static bool AcceptsJson(std::string_view accept);
  // 406 for an Accept header that AcceptsJson refuses.
  static Response NotAcceptable();
  // 302 from kBasePath to kChannelsPath.
  static Response RedirectToChannels();
  // 400 for a request body above `max_request_body_size` bytes; names the limit.
  static Response BodyTooLarge(uint64_t max_request_body_size);
  static Response Error(int status, std::string_view message);

 private:
  multichannel::Registrar& registrar_;
};

}  // namespace weft::orderer::participation
