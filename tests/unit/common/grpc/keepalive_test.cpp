#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "common/grpc/channel.h"
#include "common/grpc/server.h"
#include "grpc_test_support.h"

namespace weft::common::grpc {
namespace {

using namespace std::chrono_literals;
using testing::EchoServiceImpl;

int IntArg(const ChannelArgs& args, const std::string& name) {
  auto it = args.find(name);
  REQUIRE(it != args.end());
  REQUIRE(std::holds_alternative<int>(it->second));
  return std::get<int>(it->second);
}

TEST_CASE("By default servers accept Node-style idle pings every minute, like Fabric") {
  const ChannelArgs args = ServerChannelArgs(testing::LocalServer());
  CHECK(IntArg(args, GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS) == 60000);
  CHECK(IntArg(args, GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS) == 1);
  CHECK(IntArg(args, GRPC_ARG_HTTP2_MAX_PING_STRIKES) == 0);
  CHECK(IntArg(args, GRPC_ARG_KEEPALIVE_TIME_MS) == 7200 * 1000);
  CHECK(IntArg(args, GRPC_ARG_KEEPALIVE_TIMEOUT_MS) == 20000);
  CHECK(IntArg(args, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH) == 100 * 1024 * 1024);
  CHECK(IntArg(args, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH) == 100 * 1024 * 1024);
}

TEST_CASE("Server keepalive settings map onto the gRPC channel arguments") {
  settings::GrpcServerSettings config = testing::LocalServer();
  config.keepalive.min_interval = 5min;
  config.keepalive.permit_without_calls = false;
  config.keepalive.max_ping_strikes = 2;
  config.keepalive.interval = 30s;
  config.max_recv_message_size = 1024;
  const ChannelArgs args = ServerChannelArgs(config);
  CHECK(IntArg(args, GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS) == 300000);
  CHECK(IntArg(args, GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS) == 0);
  CHECK(IntArg(args, GRPC_ARG_HTTP2_MAX_PING_STRIKES) == 2);
  CHECK(IntArg(args, GRPC_ARG_KEEPALIVE_TIME_MS) == 30000);
  CHECK(IntArg(args, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH) == 1024);
}

TEST_CASE("By default clients ping idle connections every minute without a ping budget") {
  settings::GrpcClientSettings config;
  ChannelArgs args = ClientChannelArgs(config);
  CHECK(IntArg(args, GRPC_ARG_KEEPALIVE_TIME_MS) == 60000);
  CHECK(IntArg(args, GRPC_ARG_KEEPALIVE_TIMEOUT_MS) == 20000);
  CHECK(IntArg(args, GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS) == 1);
  CHECK(IntArg(args, GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA) == 0);
  CHECK(IntArg(args, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH) == 100 * 1024 * 1024);
  CHECK(args.count(GRPC_SSL_TARGET_NAME_OVERRIDE_ARG) == 0);

  config.tls.enabled = true;
  config.server_name_override = "orderer.example.com";
  args = ClientChannelArgs(config);
  CHECK(std::get<std::string>(args.at(GRPC_SSL_TARGET_NAME_OVERRIDE_ARG)) == "orderer.example.com");
}

// A client that pings every second with no call in flight.
std::shared_ptr<::grpc::Channel> AggressivePinger(int port) {
  settings::GrpcClientSettings config;
  config.keepalive.interval = 1s;
  config.keepalive.timeout = 5s;
  auto channel = MakeChannel("127.0.0.1:" + std::to_string(port), config);
  REQUIRE(channel.ok());
  REQUIRE((*channel)->WaitForConnected(std::chrono::system_clock::now() + 5s));
  return *channel;
}

// Watches the channel state for up to `window`; true if it left READY.
bool LeavesReadyWithin(::grpc::Channel& channel, std::chrono::milliseconds window) {
  const auto deadline = std::chrono::system_clock::now() + window;
  grpc_connectivity_state state = channel.GetState(/*try_to_connect=*/false);
  while (state == GRPC_CHANNEL_READY) {
    if (!channel.WaitForStateChange(state, deadline)) return false;
    state = channel.GetState(/*try_to_connect=*/false);
  }
  return true;
}

TEST_CASE("A server with the permissive ping policy keeps an idle, pinging client connected",
          "[slow]") {
  EchoServiceImpl service;
  settings::GrpcServerSettings config = testing::LocalServer();
  config.keepalive.min_interval = 1s;
  auto built = BuildServer(config, {&service});
  REQUIRE(built.ok());
  auto channel = AggressivePinger(built->port);
  // Four pings at least; the strict server below drops the same client after three.
  CHECK_FALSE(LeavesReadyWithin(*channel, 4500ms));
  CHECK(testing::CallEcho(channel, "still here").ok());
}

TEST_CASE("A server with gRPC's strict default ping policy sends an idle, pinging client away",
          "[slow]") {
  EchoServiceImpl service;
  settings::GrpcServerSettings config = testing::LocalServer();
  config.keepalive.min_interval = 5min;
  config.keepalive.permit_without_calls = false;
  config.keepalive.max_ping_strikes = 2;
  auto built = BuildServer(config, {&service});
  REQUIRE(built.ok());
  auto channel = AggressivePinger(built->port);
  // GOAWAY(too_many_pings) arrives after the third idle ping, ~3 s in.
  CHECK(LeavesReadyWithin(*channel, 15s));
}

}  // namespace
}  // namespace weft::common::grpc
