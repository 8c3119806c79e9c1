// Running a chaincode: either it dials the peer's ChaincodeSupport service
// ("start" mode, how a peer-launched chaincode runs) or it serves
// protos.Chaincode/Connect for a peer to dial ("chaincode as a service"). Either
// way the chaincode sends REGISTER{name = its id}, waits for REGISTERED and READY,
// then serves any number of INIT/TRANSACTION messages at once, each on its own
// thread. Settings come from command-line flags or the environment as Fabric's
// shims read them; chaincode-sdk/README.md lists them.
// Thread-safety: the functions are thread-safe; a ChaincodeServer's Stop may be
// called from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "chaincode-sdk/shim/chaincode.h"

namespace weft::chaincode_sdk::shim {

// Name -> value, e.g. the process environment (ProcessEnvironment()).
using Environment = std::map<std::string, std::string>;
Environment ProcessEnvironment();

// How a chaincode started by a peer dials it.
struct PeerConnection {
  std::string peer_address;  // host:port, scheme (grpc://, grpcs://) removed
  std::string chaincode_id;  // the REGISTER name (Fabric: the package ID)
  bool tls_enabled = false;
  // PEM, all required when tls_enabled: the client pair the peer issued for this
  // chaincode (mutual TLS) and the CA of the peer's TLS certificate.
  std::string client_key_pem;
  std::string client_cert_pem;
  std::string root_cert_pem;
  // The name to check the peer's TLS certificate against instead of the address's
  // host (fabric-chaincode-node's --ssl-target-name-override); empty: the host.
  std::string ssl_target_name_override;
};

// Reads the settings of start mode. Flags win over the environment:
//   --peer.address / CORE_PEER_ADDRESS, --chaincode-id-name / CORE_CHAINCODE_ID_NAME,
//   CORE_PEER_TLS_ENABLED (true|false, unset = false), then when enabled
//   CORE_TLS_CLIENT_KEY_FILE / CORE_TLS_CLIENT_CERT_FILE (PEM) or, when those are
//   unset, CORE_TLS_CLIENT_KEY_PATH / CORE_TLS_CLIENT_CERT_PATH (base64 of the PEM,
//   as Fabric's Go shim internal/config.go reads them), and
//   CORE_PEER_TLS_ROOTCERT_FILE (PEM); --ssl-target-name-override or
//   CORE_PEER_TLS_SERVERHOSTOVERRIDE names the host the peer's certificate is for.
// `args` are the command-line arguments without the program name.
[[nodiscard]] absl::StatusOr<PeerConnection> PeerConnectionFromEnvironment(
    const std::vector<std::string>& args, const Environment& env);

// Dials the peer, registers and serves transactions until the stream ends. Returns
// the reason it ended (Fabric's shim does not reconnect; the peer relaunches).
[[nodiscard]] absl::Status Start(Chaincode& chaincode, const PeerConnection& connection);

// How a chaincode server listens (the peer's connection.json must match).
struct ServerSettings {
  std::string address;       // listen address, host:port (port 0 picks a free one)
  std::string chaincode_id;  // the REGISTER name: the package ID the peer expects
  bool tls_enabled = false;
  std::string key_pem;  // server TLS pair, required when tls_enabled
  std::string cert_pem;
  std::string client_ca_pem;  // when set, peers must present a certificate it issued
};

// Reads the settings of server mode. Flags win over the environment:
//   --chaincode-address / CHAINCODE_SERVER_ADDRESS / CORE_CHAINCODE_ADDRESS,
//   --chaincode-id / CHAINCODE_ID / CORE_CHAINCODE_ID,
//   TLS as fabric-chaincode-node's server command: --chaincode-tls-key-file,
//   --chaincode-tls-cert-file, --chaincode-tls-client-cacert-file (PEM) or the
//   -path forms (base64 of the PEM), each also as CORE_CHAINCODE_TLS_..._FILE/_PATH;
//   or as fabric-samples' Go servers: CHAINCODE_TLS_DISABLED=false with
//   CHAINCODE_TLS_KEY, CHAINCODE_TLS_CERT, CHAINCODE_CLIENT_CA_CERT (PEM files).
[[nodiscard]] absl::StatusOr<ServerSettings> ServerSettingsFromEnvironment(
    const std::vector<std::string>& args, const Environment& env);

// A protos.Chaincode server; each Connect call is one peer conversation.
class ChaincodeServer {
 public:
  // Starts listening; an error when the settings are incomplete or the address
  // cannot be bound. `chaincode` must outlive the server.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ChaincodeServer>> Start(
      Chaincode& chaincode, const ServerSettings& settings);
  virtual ~ChaincodeServer() = default;
  // The bound host:port (with the port chosen when the settings asked for 0).
  virtual std::string address() const = 0;
  // Blocks until Stop.
  virtual void Wait() = 0;
  // Ends open conversations and stops listening.
  virtual void Stop() = 0;
};

// A main() for chaincode executables: server mode when a chaincode server address
// is configured (flag or environment above), else start mode. Prints the reason
// to stderr and returns 1 when the chaincode cannot run or its stream fails.
int Main(Chaincode& chaincode, int argc, char** argv);

}  // namespace weft::chaincode_sdk::shim
