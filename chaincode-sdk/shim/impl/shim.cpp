#include "chaincode-sdk/shim/shim.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "chaincode-sdk/shim/impl/handler.h"
#include "peer/chaincode_shim.grpc.pb.h"

extern char** environ;

namespace weft::chaincode_sdk::shim {
namespace {

using ::protos::ChaincodeMessage;

// Fabric's Go shim (internal/client.go, internal/server.go): 100 MiB messages,
// keepalive pings every minute with a 20 s timeout, also without calls.
constexpr int kMaxMessageBytes = 100 * 1024 * 1024;
constexpr int kKeepaliveMs = 60 * 1000;
constexpr int kKeepaliveTimeoutMs = 20 * 1000;

// The value of `--name value` or `--name=value` in args, else of `env_names` in order.
std::optional<std::string> Option(const std::vector<std::string>& args, std::string_view name,
                                  const Environment& env,
                                  std::initializer_list<std::string_view> env_names) {
  const std::string flag = "--" + std::string(name);
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == flag && i + 1 < args.size()) return args[i + 1];
    if (absl::StartsWith(args[i], flag + "=")) return args[i].substr(flag.size() + 1);
  }
  for (std::string_view env_name : env_names) {
    auto it = env.find(std::string(env_name));
    if (it != env.end()) return it->second;
  }
  return std::nullopt;
}

// The environment variable `name`, if set.
std::optional<std::string> EnvValue(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

[[nodiscard]] absl::StatusOr<std::string> ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (path.empty() || !in) {
    return absl::NotFoundError(
        absl::StrCat("failed to read ", std::string(what), " file '", path, "'"));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

[[nodiscard]] absl::StatusOr<std::string> ReadBase64File(const std::string& path,
                                                         std::string_view what) {
  auto data = ReadFile(path, what);
  if (!data.ok()) return data.status();
  std::string text(absl::StripAsciiWhitespace(*data)), decoded;
  if (!absl::Base64Unescape(text, &decoded)) {
    return absl::InvalidArgumentError(
        absl::StrCat("failed to decode ", std::string(what), " file '", path, "': not base64"));
  }
  return decoded;
}

// Go's strconv.ParseBool.
std::optional<bool> ParseBool(std::string_view text) {
  for (std::string_view yes : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (text == yes) return true;
  }
  for (std::string_view no : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (text == no) return false;
  }
  return std::nullopt;
}

// PEM from `file_option` (PEM) or else `path_option` (base64 of the PEM); nullopt
// when neither is set.
[[nodiscard]] absl::StatusOr<std::optional<std::string>> PemOption(
    const std::vector<std::string>& args, const Environment& env, std::string_view file_option,
    std::string_view file_env, std::string_view path_option, std::string_view path_env,
    std::string_view what) {
  if (auto file = Option(args, file_option, env, {file_env})) {
    auto pem = ReadFile(*file, what);
    if (!pem.ok()) return pem.status();
    return std::optional<std::string>(std::move(*pem));
  }
  if (auto path = Option(args, path_option, env, {path_env})) {
    auto pem = ReadBase64File(*path, what);
    if (!pem.ok()) return pem.status();
    return std::optional<std::string>(std::move(*pem));
  }
  return std::optional<std::string>();
}

class ClientStream final : public MessageStream {
 public:
  explicit ClientStream(grpc::ClientReaderWriter<ChaincodeMessage, ChaincodeMessage>& stream)
      : stream_(stream) {}
  bool Read(ChaincodeMessage* message) override { return stream_.Read(message); }
  bool Write(const ChaincodeMessage& message) override { return stream_.Write(message); }

 private:
  grpc::ClientReaderWriter<ChaincodeMessage, ChaincodeMessage>& stream_;
};

class ServerStream final : public MessageStream {
 public:
  explicit ServerStream(grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>& stream)
      : stream_(stream) {}
  bool Read(ChaincodeMessage* message) override { return stream_.Read(message); }
  bool Write(const ChaincodeMessage& message) override { return stream_.Write(message); }

 private:
  grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>& stream_;
};

class ConnectService final : public ::protos::Chaincode::Service {
 public:
  ConnectService(Chaincode& chaincode, std::string chaincode_id)
      : chaincode_(chaincode), chaincode_id_(std::move(chaincode_id)) {}

  grpc::Status Connect(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>* stream) override {
    ServerStream adapter(*stream);
    Handler handler(chaincode_, adapter);
    absl::Status status = handler.Run(chaincode_id_);
    // A peer closing the stream is how a conversation normally ends.
    if (status.ok() || absl::IsUnavailable(status)) return grpc::Status::OK;
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, std::string(status.message()));
  }

 private:
  Chaincode& chaincode_;
  const std::string chaincode_id_;
};

class GrpcChaincodeServer final : public ChaincodeServer {
 public:
  GrpcChaincodeServer(std::unique_ptr<ConnectService> service, std::unique_ptr<grpc::Server> server,
                      std::string address)
      : service_(std::move(service)), server_(std::move(server)), address_(std::move(address)) {}
  ~GrpcChaincodeServer() override { Stop(); }

  std::string address() const override { return address_; }
  void Wait() override { server_->Wait(); }
  void Stop() override {
    std::call_once(stopped_, [&] {
      // A deadline of now cancels the open Connect calls instead of waiting for them.
      server_->Shutdown(std::chrono::system_clock::now());
    });
  }

 private:
  std::unique_ptr<ConnectService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::once_flag stopped_;
};

}  // namespace

::protos::Response Success(std::string payload) {
  ::protos::Response response;
  response.set_status(kOk);
  response.set_payload(std::move(payload));
  return response;
}

::protos::Response Error(std::string message) {
  ::protos::Response response;
  response.set_status(kError);
  response.set_message(std::move(message));
  return response;
}

Environment ProcessEnvironment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq != std::string_view::npos) env.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return env;
}

[[nodiscard]] absl::StatusOr<PeerConnection> PeerConnectionFromEnvironment(
    const std::vector<std::string>& args, const Environment& env) {
  PeerConnection connection;
  auto address = Option(args, "peer.address", env, {"CORE_PEER_ADDRESS"});
  if (!address || address->empty()) {
    return absl::InvalidArgumentError(
        "the peer address is not set: pass --peer.address host:port or set CORE_PEER_ADDRESS");
  }
  connection.peer_address = *address;
  for (std::string scheme : {"grpc://", "grpcs://"}) {
    if (absl::StartsWith(connection.peer_address, scheme)) {
      connection.peer_address.erase(0, scheme.size());
    }
  }
  auto id = Option(args, "chaincode-id-name", env, {"CORE_CHAINCODE_ID_NAME"});
  if (!id || id->empty()) {
    return absl::InvalidArgumentError("'CORE_CHAINCODE_ID_NAME' must be set");
  }
  connection.chaincode_id = *id;
  if (auto tls = EnvValue(env, "CORE_PEER_TLS_ENABLED")) {
    auto enabled = ParseBool(*tls);
    if (!enabled) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'CORE_PEER_TLS_ENABLED' must be set to 'true' or 'false', not '", *tls, "'"));
    }
    connection.tls_enabled = *enabled;
  }
  if (!connection.tls_enabled) return connection;

  auto key = PemOption(args, env, "tls-client-key-file", "CORE_TLS_CLIENT_KEY_FILE",
                       "tls-client-key-path", "CORE_TLS_CLIENT_KEY_PATH", "private key");
  if (!key.ok()) return key.status();
  auto cert = PemOption(args, env, "tls-client-cert-file", "CORE_TLS_CLIENT_CERT_FILE",
                        "tls-client-cert-path", "CORE_TLS_CLIENT_CERT_PATH", "public key");
  if (!cert.ok()) return cert.status();
  if (!*key || !*cert) {
    return absl::InvalidArgumentError(
        "TLS is enabled but the client key or certificate is not set (CORE_TLS_CLIENT_KEY_PATH "
        "and CORE_TLS_CLIENT_CERT_PATH, or their _FILE forms)");
  }
  auto root = ReadFile(
      Option(args, "peer.tls.rootcert.file", env, {"CORE_PEER_TLS_ROOTCERT_FILE"}).value_or(""),
      "root cert");
  if (!root.ok()) return root.status();
  connection.client_key_pem = std::move(**key);
  connection.client_cert_pem = std::move(**cert);
  connection.root_cert_pem = std::move(*root);
  connection.ssl_target_name_override =
      Option(args, "ssl-target-name-override", env, {"CORE_PEER_TLS_SERVERHOSTOVERRIDE"})
          .value_or("");
  return connection;
}

[[nodiscard]] absl::Status Start(Chaincode& chaincode, const PeerConnection& connection) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (connection.tls_enabled) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = connection.root_cert_pem;
    ssl.pem_private_key = connection.client_key_pem;
    ssl.pem_cert_chain = connection.client_cert_pem;
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kMaxMessageBytes);
  arguments.SetMaxSendMessageSize(kMaxMessageBytes);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveMs);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  arguments.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  if (connection.tls_enabled && !connection.ssl_target_name_override.empty()) {
    arguments.SetSslTargetNameOverride(connection.ssl_target_name_override);
  }
  auto channel = grpc::CreateCustomChannel(connection.peer_address, credentials, arguments);
  auto stub = ::protos::ChaincodeSupport::NewStub(channel);
  grpc::ClientContext context;
  auto stream = stub->Register(&context);
  ClientStream adapter(*stream);
  Handler handler(chaincode, adapter);
  absl::Status status = handler.Run(connection.chaincode_id);
  if (!absl::IsUnavailable(status)) {
    // We end the conversation (a protocol error): half-close, and give the peer a
    // moment to read our ERROR before the call is cancelled.
    stream->WritesDone();
    std::mutex mu;
    std::condition_variable done;
    bool finished_call = false;
    std::thread canceller([&] {
      std::unique_lock lock(mu);
      if (!done.wait_for(lock, std::chrono::seconds(1), [&] { return finished_call; })) {
        context.TryCancel();
      }
    });
    grpc::Status ignored = stream->Finish();
    {
      std::lock_guard lock(mu);
      finished_call = true;
    }
    done.notify_all();
    canceller.join();
    return status;
  }
  grpc::Status finished = stream->Finish();
  if (!finished.ok() && finished.error_code() != grpc::StatusCode::CANCELLED) {
    return absl::UnavailableError(absl::StrCat("chaincode stream to ", connection.peer_address,
                                               " failed: ", finished.error_message()));
  }
  return status;
}

[[nodiscard]] absl::StatusOr<ServerSettings> ServerSettingsFromEnvironment(
    const std::vector<std::string>& args, const Environment& env) {
  ServerSettings settings;
  auto address = Option(args, "chaincode-address", env,
                        {"CHAINCODE_SERVER_ADDRESS", "CORE_CHAINCODE_ADDRESS"});
  if (!address || address->empty()) {
    return absl::InvalidArgumentError(
        "the chaincode server address is not set: pass --chaincode-address or set "
        "CHAINCODE_SERVER_ADDRESS or CORE_CHAINCODE_ADDRESS");
  }
  settings.address = *address;
  auto id = Option(args, "chaincode-id", env, {"CHAINCODE_ID", "CORE_CHAINCODE_ID"});
  if (!id || id->empty()) {
    return absl::InvalidArgumentError(
        "the chaincode id is not set: pass --chaincode-id or set CHAINCODE_ID or "
        "CORE_CHAINCODE_ID");
  }
  settings.chaincode_id = *id;

  auto key = PemOption(args, env, "chaincode-tls-key-file", "CORE_CHAINCODE_TLS_KEY_FILE",
                       "chaincode-tls-key-path", "CORE_CHAINCODE_TLS_KEY_PATH", "TLS key");
  if (!key.ok()) return key.status();
  auto cert = PemOption(args, env, "chaincode-tls-cert-file", "CORE_CHAINCODE_TLS_CERT_FILE",
                        "chaincode-tls-cert-path", "CORE_CHAINCODE_TLS_CERT_PATH", "TLS cert");
  if (!cert.ok()) return cert.status();
  auto client_ca =
      PemOption(args, env, "chaincode-tls-client-cacert-file",
                "CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE", "chaincode-tls-client-cacert-path",
                "CORE_CHAINCODE_TLS_CLIENT_CACERT_PATH", "TLS client CA cert");
  if (!client_ca.ok()) return client_ca.status();
  if (*key || *cert) {
    // fabric-chaincode-node's server command: one TLS option needs both.
    if (!*key) return absl::InvalidArgumentError("A TLS option is set but no key is specified");
    if (!*cert) return absl::InvalidArgumentError("A TLS option is set but no cert is specified");
    settings.tls_enabled = true;
    settings.key_pem = std::move(**key);
    settings.cert_pem = std::move(**cert);
    settings.client_ca_pem = client_ca->value_or("");
    return settings;
  }
  // fabric-samples' Go chaincode servers (asset-transfer-basic/chaincode-external).
  auto disabled = EnvValue(env, "CHAINCODE_TLS_DISABLED");
  if (disabled && ParseBool(*disabled) == std::optional<bool>(false)) {
    auto sample_key = ReadFile(EnvValue(env, "CHAINCODE_TLS_KEY").value_or(""), "TLS key");
    if (!sample_key.ok()) return sample_key.status();
    auto sample_cert = ReadFile(EnvValue(env, "CHAINCODE_TLS_CERT").value_or(""), "TLS cert");
    if (!sample_cert.ok()) return sample_cert.status();
    settings.tls_enabled = true;
    settings.key_pem = std::move(*sample_key);
    settings.cert_pem = std::move(*sample_cert);
    if (auto ca = EnvValue(env, "CHAINCODE_CLIENT_CA_CERT"); ca && !ca->empty()) {
      auto ca_pem = ReadFile(*ca, "TLS client CA cert");
      if (!ca_pem.ok()) return ca_pem.status();
      settings.client_ca_pem = std::move(*ca_pem);
    }
  }
  return settings;
}

absl::StatusOr<std::unique_ptr<ChaincodeServer>> ChaincodeServer::Start(
    Chaincode& chaincode, const ServerSettings& settings) {
  if (settings.chaincode_id.empty()) return absl::InvalidArgumentError("ccid must be specified");
  if (settings.address.empty()) return absl::InvalidArgumentError("address must be specified");
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (settings.tls_enabled) {
    if (settings.key_pem.empty()) return absl::InvalidArgumentError("key not provided");
    if (settings.cert_pem.empty()) return absl::InvalidArgumentError("cert not provided");
    grpc::SslServerCredentialsOptions ssl(
        settings.client_ca_pem.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = settings.client_ca_pem;
    ssl.pem_key_cert_pairs.push_back({settings.key_pem, settings.cert_pem});
    credentials = grpc::SslServerCredentials(ssl);
  } else {
    credentials = grpc::InsecureServerCredentials();
  }
  auto service = std::make_unique<ConnectService>(chaincode, settings.chaincode_id);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(settings.address, credentials, &port);
  builder.RegisterService(service.get());
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  // The Go shim's enforcement policy: pings every minute, also without calls.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, kKeepaliveMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", settings.address, " for the chaincode server"));
  }
  std::string host = settings.address.substr(0, settings.address.rfind(':'));
  return std::unique_ptr<ChaincodeServer>(new GrpcChaincodeServer(
      std::move(service), std::move(server), absl::StrCat(host, ":", port)));
}

int Main(Chaincode& chaincode, int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  Environment env = ProcessEnvironment();
  const bool server_mode =
      Option(args, "chaincode-address", env, {"CHAINCODE_SERVER_ADDRESS", "CORE_CHAINCODE_ADDRESS"})
          .has_value();
  if (server_mode) {
    auto settings = ServerSettingsFromEnvironment(args, env);
    if (!settings.ok()) {
      std::cerr << "chaincode: " << settings.status().message() << "\n";
      return 1;
    }
    auto server = ChaincodeServer::Start(chaincode, *settings);
    if (!server.ok()) {
      std::cerr << "chaincode: " << server.status().message() << "\n";
      return 1;
    }
    std::cerr << "chaincode " << settings->chaincode_id << " listening on " << (*server)->address()
              << "\n";
    (*server)->Wait();
    return 0;
  }
  auto connection = PeerConnectionFromEnvironment(args, env);
  if (!connection.ok()) {
    std::cerr << "chaincode: " << connection.status().message() << "\n";
    return 1;
  }
  absl::Status status = Start(chaincode, *connection);
  std::cerr << "chaincode " << connection->chaincode_id << " ended: " << status.message() << "\n";
  return status.ok() ? 0 : 1;
}

}  // namespace weft::chaincode_sdk::shim
