// The peer's composition root: reads core.yaml, loads the local MSP, opens every
// joined channel's ledger under peer.fileSystemPath and starts its committer pipeline
// (deliver client -> validator + BlockCommitter on a ThreadPool of
// ValidatorPoolSize(peer.validatorPoolSize) shared by the channels -> PeerLedger),
// and serves protos.Endorser (system chaincodes cscc and qscc, application chaincode
// through chaincode support) and protos.Deliver on one gRPC server, the chaincode
// listener (protos.ChaincodeSupport, mutual TLS from a CA made at start when
// peer.tls.enabled) on peer.chaincodeListenAddress, and the operations endpoint.
// Nothing else in the peer knows concrete types. A commit that fails after its block
// reached the block store ends the process with exit code 2 (Fabric panics there):
// the restart's ledger recovery brings the state up to the block store.
// Thread-safety: Create/Start/Stop from one thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/config/peer_config.h"
#include "common/status/status.h"

namespace weft::peer::node {

inline constexpr char kVersion[] = "0.1.0";

class PeerNode {
 public:
  [[nodiscard]] static StatusOr<std::unique_ptr<PeerNode>> Create(
      const std::filesystem::path& config_file, const common::config::Environment& env);
  ~PeerNode();

  // Reopens the joined channels and starts serving. Prints one line
  //   "peer started: grpc=<addr> operations=<addr>"
  // to stdout once every listener is bound (tests read the ports from it).
  [[nodiscard]] Status Start();
  // Stops the listeners and every channel's block pull. Idempotent.
  void Stop();

 private:
  struct Parts;
  explicit PeerNode(std::unique_ptr<Parts> parts);
  [[nodiscard]] Status StartChaincodeListener();
  std::unique_ptr<Parts> parts_;
};

// `peer node rebuild-dbs`: drops and rebuilds the state and history databases of every
// channel's ledger from its block store (the peer must not be running).
[[nodiscard]] Status RebuildDatabases(const std::filesystem::path& config_file,
                                      const common::config::Environment& env);

}  // namespace weft::peer::node
