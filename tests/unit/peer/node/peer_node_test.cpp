#include "peer/node/peer_node.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "peer/node/impl/grpc_services.h"
#include "tests/support/temp_dir.h"

namespace {

using weft::common::config::Environment;
using weft::peer::node::PeerNode;

const std::filesystem::path kSampleCore =
    std::filesystem::path(WEFT_SOURCE_DIR) / "deploy/config/core.yaml";

std::string Message(const weft::Status& status) { return std::string(status.message()); }

}  // namespace

TEST_CASE("a peer without its config file does not start") {
  weft::testing::TempDir dir{"weft-peer-node"};
  auto node = PeerNode::Create(dir / "core.yaml", {});
  REQUIRE_FALSE(node.ok());
  CHECK(absl::IsNotFound(node.status()));
}

TEST_CASE("a peer whose local MSP cannot be loaded says which setting") {
  weft::testing::TempDir dir{"weft-peer-node"};
  const Environment env = {{"CORE_PEER_MSPCONFIGPATH", (dir / "no-msp").string()},
                           {"CORE_PEER_FILESYSTEMPATH", (dir / "data").string()}};
  auto node = PeerNode::Create(kSampleCore, env);
  REQUIRE_FALSE(node.ok());
  CHECK_THAT(Message(node.status()),
             Catch::StartsWith("loading the local MSP (peer.mspConfigPath)"));
}

// core.yaml ledger.state.stateDatabase: goleveldb or leveldb only.
TEST_CASE("a peer configured with CouchDB does not start") {
  weft::testing::TempDir dir{"weft-peer-node"};
  const Environment env = {{"CORE_LEDGER_STATE_STATEDATABASE", "CouchDB"},
                           {"CORE_PEER_FILESYSTEMPATH", (dir / "data").string()}};
  auto node = PeerNode::Create(kSampleCore, env);
  REQUIRE_FALSE(node.ok());
  CHECK_THAT(Message(node.status()),
             Catch::Contains("ledger.state.stateDatabase (set by CORE_LEDGER_STATE_STATEDATABASE): "
                             "expected one of goleveldb, leveldb, got 'CouchDB'"));
}

TEST_CASE("rebuild-dbs on a peer that has joined no channel has nothing to do") {
  weft::testing::TempDir dir{"weft-peer-node"};
  const Environment env = {{"CORE_PEER_FILESYSTEMPATH", (dir / "data").string()}};
  CHECK(weft::peer::node::RebuildDatabases(kSampleCore, env).ok());
}

// Fabric's grpc_limiters.go: peer.limits.concurrency.{endorser,deliver}Service calls at
// once; the next one is refused with a Go error (gRPC UNKNOWN) naming the limit.
TEST_CASE("a service's concurrency limit refuses calls beyond it until one ends") {
  weft::peer::node::ConcurrencyLimit limit("/protos.Deliver", 2);
  auto first = limit.TryAcquire();
  {
    auto second = limit.TryAcquire();
    CHECK(first.ok());
    CHECK(second.ok());
    CHECK_FALSE(limit.TryAcquire().ok());
    const ::grpc::Status refusal = limit.Refusal();
    CHECK(refusal.error_code() == ::grpc::StatusCode::UNKNOWN);
    CHECK(refusal.error_message() ==
          "too many requests for /protos.Deliver, exceeding concurrency limit (2)");
  }
  CHECK(limit.TryAcquire().ok());

  weft::peer::node::ConcurrencyLimit unlimited("/protos.Endorser", 0);
  auto a = unlimited.TryAcquire();
  auto b = unlimited.TryAcquire();
  CHECK((a.ok() && b.ok()));
}
