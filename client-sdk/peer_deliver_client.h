// A client of a peer's protos.Deliver service (Fabric's peer CLI
// deliverclient.go and the SDKs' block/filtered-block event streams): a signed
// DELIVER_SEEK_INFO envelope in, blocks or filtered blocks out, then the peer's
// final status.
// Thread-safety: one PeerDeliverClient may be shared; each call opens its own stream.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/common.pb.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/signer.h"
#include "common/settings/settings.h"
#include "common/status/status.h"
#include "orderer/ab.pb.h"
#include "peer/events.pb.h"

namespace weft::client {

// The signed seek request (Fabric's CreateSignedEnvelopeWithTLSBinding of
// DELIVER_SEEK_INFO, version 0, epoch 0); `tls_cert_hash` (ClientTlsCertHash)
// binds it to the mutual-TLS connection, as the peer requires under mutual TLS.
[[nodiscard]] StatusOr<::common::Envelope> CreateSeekEnvelope(
    std::string_view channel_id, const ::orderer::SeekInfo& seek_info,
    const common::protoutil::Signer& signer, std::string tls_cert_hash = "");

class PeerDeliverClient {
 public:
  [[nodiscard]] static StatusOr<std::unique_ptr<PeerDeliverClient>> Connect(
      const std::string& target, const common::settings::GrpcClientSettings& settings);
  ~PeerDeliverClient();

  const std::string& address() const { return address_; }

  // Deliver / DeliverFiltered: sends `seek`, calls the callback for each block
  // until the peer sends its status or the callback returns false (then the
  // stream is cancelled and SUCCESS returned). Returns the peer's final status;
  // fails when the stream breaks without one or a response of the other kind
  // arrives (errors name the peer). A `deadline` ends the stream with
  // DeadlineExceeded (the peer CLI's --waitForEventTimeout).
  [[nodiscard]] StatusOr<::common::Status> Deliver(
      const ::common::Envelope& seek, const std::function<bool(const ::common::Block&)>& on_block);
  [[nodiscard]] StatusOr<::common::Status> DeliverFiltered(
      const ::common::Envelope& seek,
      const std::function<bool(const ::protos::FilteredBlock&)>& on_block,
      std::optional<std::chrono::system_clock::time_point> deadline = std::nullopt);

 private:
  struct Connection;  // the gRPC channel and its Deliver stub
  PeerDeliverClient(std::string address, std::unique_ptr<Connection> connection);
  std::string address_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace weft::client
