// The seam between chaincode support and whatever builds and runs chaincode
// packages, after Fabric's core/chaincode Runtime (release-2.5
// runtime_launcher.go) and core/container/externalbuilder: a package is built
// once, then either started as a process that dials the peer's chaincode
// listener, or — chaincode as a service — already running as a server the peer
// dials (protos.Chaincode/Connect).
//
// Thread-safety: implementations are called concurrently for different
// packages and must serialise work on one package themselves.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status/status.h"

namespace weft::peer::chaincode_support {

// How a chaincode reaches the peer (Fabric's ccintf.PeerConnection).
struct PeerConnection {
  std::string address;  // the chaincode listener, host:port
  // Empty when the listener runs without TLS. The client pair is issued by the
  // peer for this chaincode; root_cert_pem verifies the listener.
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string root_cert_pem;
};

// A chaincode server the peer dials (Fabric's ccintf.ChaincodeServerInfo, built
// from a ccaas package's connection.json).
struct ChaincodeServerInfo {
  std::string address;
  std::chrono::milliseconds dial_timeout{3000};
  bool tls_required = false;
  bool client_auth_required = false;
  std::string client_key_pem;
  std::string client_cert_pem;
  std::string root_cert_pem;
};

class ChaincodeRuntime {
 public:
  virtual ~ChaincodeRuntime() = default;

  // Builds the package once; later calls reuse the build. Returns the server to
  // dial when the package is a chaincode server, nullopt when it must be started.
  [[nodiscard]] virtual StatusOr<std::optional<ChaincodeServerInfo>> Build(
      std::string_view package_id) = 0;
  // Starts the built chaincode, which registers itself at `peer`.
  [[nodiscard]] virtual Status Start(std::string_view package_id, const PeerConnection& peer) = 0;
  // Stops the running chaincode; OK when none runs.
  [[nodiscard]] virtual Status Stop(std::string_view package_id) = 0;
  // Blocks until the started chaincode exits and returns its exit code.
  [[nodiscard]] virtual StatusOr<int> Wait(std::string_view package_id) = 0;
};

}  // namespace weft::peer::chaincode_support
