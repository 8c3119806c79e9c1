// The channel participation API (Fabric 2.3+, /participation/v1/channels), which
// Weft offers for every consensus type: join a channel with its config block, list
// channels, show one, remove one. There is no system channel.
//
//   GET    /participation/v1/channels          200 {"systemChannel":null,"channels":[{name,url}]}
//   GET    /participation/v1/channels/{name}   200 {name,url,consensusRelation,status,height}
//   POST   /participation/v1/channels          multipart form, file field "config-block"
//                                              201 channel info | 400 | 405 | 409
//   DELETE /participation/v1/channels/{name}   204 | 404
// Errors are {"error":"<what went wrong>"}; a request body larger than
// ChannelParticipation.MaxRequestBodySize is refused with 413.
//
// Transport-free: the HTTP adapter in orderer/node maps requests onto these calls.
// Thread-safety: safe for concurrent use (the registrar serialises changes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "orderer/multichannel/registrar.h"

namespace weft::orderer::participation {

inline constexpr char kChannelsPath[] = "/participation/v1/channels";

struct Response {
  int status = 200;
  std::string body;  // JSON, or empty for 204
};

class ParticipationApi {
 public:
  // `registrar` must outlive the API.
  explicit ParticipationApi(multichannel::Registrar& registrar);

  Response ListChannels() const;
  Response GetChannel(std::string_view channel_id) const;
  // `config_block` is the serialized common.Block uploaded by the operator.
  Response JoinChannel(std::string_view config_block);
  Response RemoveChannel(std::string_view channel_id);
  // 405 for methods the API does not offer on a path; names the allowed ones.
  static Response MethodNotAllowed(std::string_view allowed);
  static Response Error(int status, std::string_view message);
  // 413 for a request body above `max_request_body_size` bytes; names the limit.
  static Response BodyTooLarge(uint64_t max_request_body_size);

 private:
  multichannel::Registrar& registrar_;
};

}  // namespace weft::orderer::participation
