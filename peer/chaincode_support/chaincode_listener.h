// The chaincode listener: protos.ChaincodeSupport/Register on its own gRPC server
// (Fabric's createChaincodeServer in internal/peer/node/start.go). With a ChaincodeCa
// the listener serves TLS with a certificate the CA issued for the endpoint's host and
// requires client certificates from that CA; each REGISTER must come over the
// certificate issued for the chaincode it names (Fabric's accesscontrol).
// Thread-safety: Start, port and Stop from one thread; calls are served on gRPC threads.
#pragma once

#include <memory>
#include <string>

#include "common/settings/settings.h"
#include "common/status/status.h"
#include "peer/chaincode_support/chaincode_ca.h"
#include "peer/chaincode_support/chaincode_support.h"

namespace weft::peer::chaincode_support {

// Fabric's defaultChaincodePort.
inline constexpr int kDefaultChaincodePort = 7052;

// The address the listener binds: peer.chaincodeListenAddress, else <peer host>:7052.
std::string ChaincodeListenAddress(const std::string& chaincode_listen_address,
                                   const std::string& peer_host);

// Fabric's computeChaincodeEndpoint: the address chaincodes dial. chaincode_address
// (peer.chaincodeAddress) when set, else the listen address (with the peer's host when
// it binds all interfaces), else <peer host>:7052. InvalidArgument when all there is
// to dial is an unspecified address (0.0.0.0 or ::).
[[nodiscard]] StatusOr<std::string> ComputeChaincodeEndpoint(
    const std::string& chaincode_address, const std::string& chaincode_listen_address,
    const std::string& peer_host);

struct ChaincodeListenerOptions {
  // listen_address, keepalive and message sizes; its TLS is ignored (see ca).
  common::settings::GrpcServerSettings server;
  ChaincodeCa* ca = nullptr;  // TLS when set; must outlive the listener
  std::string host;           // the endpoint host, the server certificate's name
};

class ChaincodeListener {
 public:
  // Binds and starts serving streams to `support`, which must outlive the listener.
  [[nodiscard]] static StatusOr<std::unique_ptr<ChaincodeListener>> Start(
      ChaincodeListenerOptions options, ChaincodeSupport& support);
  ~ChaincodeListener();

  int port() const;
  // Stops accepting streams and ends the open ones. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit ChaincodeListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::peer::chaincode_support
