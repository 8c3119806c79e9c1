#include "orderer/node/orderer_node.h"

#include <httplib.h>

#include <iostream>

#include "common/deliver/deliver_handler.h"
#include "common/grpc/server.h"
#include "common/log/logger_factory.h"
#include "common/metrics/metrics.h"
#include "common/ops/http_listener.h"
#include "common/ops/operations_server.h"
#include "common/settings/host_port.h"
#include "fmt/format.h"
#include "msp/local_msp.h"
#include "orderer/broadcast/broadcast_handler.h"
#include "orderer/consensus/kafka/kafka_consenter.h"
#include "orderer/consensus/solo/solo.h"
#include "orderer/multichannel/registrar.h"
#include "orderer/node/impl/atomic_broadcast_service.h"
#include "orderer/participation/participation_api.h"

namespace weft::orderer::node {
namespace {

namespace config = common::config;

void Reply(httplib::Response& response, const participation::Response& answer) {
  response.status = answer.status;
  for (const auto& [name, value] : answer.headers) response.set_header(name, value);
  if (!answer.body.empty()) response.set_content(answer.body, "application/json");
}

// The body bytes httplib kept: the body itself, or for a multipart form its parts' contents.
uint64_t ReceivedBytes(const httplib::Request& request) {
  uint64_t received = request.body.size();
  for (const auto& [name, part] : request.files) received += part.content.size();
  return received;
}

// Fabric's negotiateContentType runs first in every handler but the 405 one.
bool RefusedAccept(const httplib::Request& request, httplib::Response& response) {
  if (participation::ParticipationApi::AcceptsJson(request.get_header_value("Accept"))) {
    return false;
  }
  Reply(response, participation::ParticipationApi::NotAcceptable());
  return true;
}

// Routes /participation/v1/channels[/{name}] onto the participation API (Fabric's
// restapi.go routes), refusing request bodies above `max_body` bytes.
void InstallParticipationRoutes(httplib::Server& server, participation::ParticipationApi& api,
                                uint64_t max_body) {
  using participation::ParticipationApi;
  const std::string channels = participation::kChannelsPath;
  const std::string one_channel = channels + R"(/([^/]+))";
  // httplib refuses a Content-Length above the limit before reading the body and answers
  // 413 without content; the error handler turns that into Fabric's 400 and its JSON error.
  server.set_payload_max_length(max_body);
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body](const httplib::Request&, httplib::Response& response) {
        if (response.status != 413 || !response.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        Reply(response, ParticipationApi::BodyTooLarge(max_body));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.Get(participation::kBasePath, [](const httplib::Request&, httplib::Response& response) {
    Reply(response, ParticipationApi::RedirectToChannels());
  });
  server.Get(channels, [&api](const httplib::Request& request, httplib::Response& response) {
    if (RefusedAccept(request, response)) return;
    Reply(response, api.ListChannels());
  });
  server.Post(channels,
              [&api, max_body](const httplib::Request& request, httplib::Response& response) {
                if (!request.is_multipart_form_data()) {
                  std::vector<std::string> content_types;
                  const size_t count = request.get_header_value_count("Content-Type");
                  for (size_t i = 0; i < count; ++i) {
                    content_types.push_back(request.get_header_value("Content-Type", i));
                  }
                  Reply(response, ParticipationApi::UnsupportedContentType(content_types));
                  return;
                }
                if (RefusedAccept(request, response)) return;
                // Chunked bodies carry no Content-Length, so httplib reads them whole.
                if (ReceivedBytes(request) > max_body) {
                  Reply(response, ParticipationApi::BodyTooLarge(max_body));
                  return;
                }
                std::vector<participation::FormPart> parts;
                for (const auto& [name, part] : request.files) {
                  parts.push_back({part.name, part.filename, part.content});
                }
                Reply(response, api.JoinChannelForm(parts));
              });
  server.Get(one_channel, [&api](const httplib::Request& request, httplib::Response& response) {
    if (RefusedAccept(request, response)) return;
    Reply(response, api.GetChannel(request.matches[1].str()));
  });
  server.Delete(one_channel, [&api](const httplib::Request& request, httplib::Response& response) {
    if (RefusedAccept(request, response)) return;
    Reply(response, api.RemoveChannel(request.matches[1].str()));
  });
  // Every other method is a 405 naming the allowed ones (Fabric's serveNotAllowed).
  for (const auto& path : {channels, one_channel}) {
    const bool on_one_channel = path == one_channel;
    auto not_allowed = [on_one_channel](const httplib::Request& request,
                                        httplib::Response& response) {
      Reply(response, ParticipationApi::MethodNotAllowed(request.method, on_one_channel));
    };
    server.Put(path, not_allowed);
    server.Patch(path, not_allowed);
    server.Options(path, not_allowed);
  }
  server.Post(one_channel, [](const httplib::Request& request, httplib::Response& response) {
    Reply(response, ParticipationApi::MethodNotAllowed(request.method, true));
  });
  server.Delete(channels, [](const httplib::Request& request, httplib::Response& response) {
    Reply(response, ParticipationApi::MethodNotAllowed(request.method, false));
  });
}

}  // namespace

struct OrdererNode::Parts {
  config::OrdererConfig config;
  std::unique_ptr<common::log::LoggerFactory> loggers;
  std::shared_ptr<common::log::Logger> logger;
  std::optional<msp::LocalMsp> local_msp;
  common::metrics::MetricsRegistry metrics;
  consensus::ConsenterRegistry consenters;
  consensus::kafka::KafkaConsenter* kafka = nullptr;
  std::unique_ptr<multichannel::Registrar> registrar;
  std::unique_ptr<broadcast::BroadcastHandler> broadcast;
  std::unique_ptr<common::deliver::DeliverHandler> deliver;
  std::unique_ptr<AtomicBroadcastService> service;
  std::unique_ptr<participation::ParticipationApi> participation;
  common::grpc::BuiltServer grpc;
  std::unique_ptr<common::ops::HttpListener> admin;
  std::unique_ptr<common::ops::OperationsServer> operations;
  bool started = false;
};

StatusOr<std::unique_ptr<OrdererNode>> OrdererNode::Create(const std::filesystem::path& config_file,
                                                           const config::Environment& env) {
  auto parts = std::make_unique<Parts>();
  WEFT_ASSIGN_OR_RETURN(auto loaded, config::LoadOrdererConfig(config_file, env));
  parts->config = std::move(loaded.config);

  common::log::LogSpec spec;
  if (auto found = env.find("FABRIC_LOGGING_SPEC"); found != env.end() && !found->second.empty()) {
    auto parsed = common::log::LogSpec::Parse(found->second);
    if (!parsed.ok()) return Annotate(parsed.status(), "FABRIC_LOGGING_SPEC");
    spec = *std::move(parsed);
  }
  parts->loggers = std::make_unique<common::log::LoggerFactory>(spec);
  parts->logger = parts->loggers->Get("orderer.node");
  for (const auto& warning : loaded.warnings) parts->logger->Warn("{}", warning);

  const auto& general = parts->config.general;
  auto local_msp = msp::LoadLocalMsp(general.local_msp_dir, general.local_msp_id);
  if (!local_msp.ok())
    return Annotate(local_msp.status(), "loading the local MSP (General.LocalMSPDir)");
  parts->local_msp.emplace(*std::move(local_msp));

  common::metrics::MetricsRegistry* metrics =
      parts->config.metrics.provider == config::MetricsProvider::kPrometheus ? &parts->metrics
                                                                             : nullptr;
  // The orderer's ECDSA signs (blocks) and verifies (channel MSPs), on /metrics.
  WEFT_ASSIGN_OR_RETURN(auto ecdsa_counter, msp::EcdsaCounter::ReportingTo(metrics));
  parts->local_msp->signer.CountSignsIn(ecdsa_counter);
  consensus::solo::SoloOptions solo;
  solo.logger = parts->loggers->Get("orderer.consensus.solo");
  parts->consenters.emplace("solo", std::make_unique<consensus::solo::SoloConsenter>(solo));
  consensus::kafka::KafkaConsenterOptions kafka;
  kafka.settings = parts->config.kafka;
  auto kafka_consenter = std::make_unique<consensus::kafka::KafkaConsenter>(
      kafka, parts->loggers->Get("orderer.consensus.kafka"));
  parts->kafka = kafka_consenter.get();
  parts->consenters.emplace("kafka", std::move(kafka_consenter));

  multichannel::RegistrarOptions registrar;
  registrar.ledger_dir = parts->config.file_ledger.location;
  registrar.signer = &parts->local_msp->signer;
  registrar.consenters = &parts->consenters;
  registrar.metrics = metrics;
  registrar.loggers = parts->loggers.get();
  registrar.broadcast_filters.no_expiration_checks = general.authentication_no_expiration_checks;
  registrar.ecdsa_counter = std::move(ecdsa_counter);
  parts->registrar = std::make_unique<multichannel::Registrar>(std::move(registrar));
  parts->broadcast = std::make_unique<broadcast::BroadcastHandler>(*parts->registrar, metrics);

  common::deliver::DeliverOptions deliver;
  deliver.time_window = general.authentication_time_window;
  deliver.expiration_checks = !general.authentication_no_expiration_checks;
  deliver.logger = parts->loggers->Get("common.deliver");
  parts->deliver = std::make_unique<common::deliver::DeliverHandler>(*parts->registrar, deliver);
  parts->service = std::make_unique<AtomicBroadcastService>(*parts->broadcast, *parts->deliver);
  parts->participation = std::make_unique<participation::ParticipationApi>(*parts->registrar);

  common::ops::OperationsConfig operations;
  operations.listener = parts->config.operations;
  operations.version = kVersion;
  parts->operations =
      std::make_unique<common::ops::OperationsServer>(operations, metrics, parts->loggers.get());
  return std::unique_ptr<OrdererNode>(new OrdererNode(std::move(parts)));
}

OrdererNode::OrdererNode(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

OrdererNode::~OrdererNode() { Stop(); }

Status OrdererNode::Start() {
  Parts& parts = *parts_;
  WEFT_RETURN_IF_ERROR(Annotate(parts.registrar->Initialize(), "opening the channels"));

  auto grpc = common::grpc::BuildServer(parts.config.general.server, {parts.service.get()});
  if (!grpc.ok())
    return Annotate(grpc.status(), "starting the gRPC server (General.ListenAddress)");
  parts.grpc = *std::move(grpc);

  parts.admin = std::make_unique<common::ops::HttpListener>(parts.config.admin);
  InstallParticipationRoutes(parts.admin->server(), *parts.participation,
                             parts.config.channel_participation.max_request_body_size);
  WEFT_RETURN_IF_ERROR(
      Annotate(parts.admin->Start(), "starting the admin endpoint (Admin.ListenAddress)"));

  consensus::kafka::KafkaConsenter* kafka = parts.kafka;
  multichannel::Registrar* registrar = parts.registrar.get();
  WEFT_RETURN_IF_ERROR(parts.operations->RegisterChecker("kafka", [kafka, registrar]() -> Status {
    // Only channels ordered through Kafka depend on the cluster.
    for (const auto& channel : registrar->ListChannels()) {
      auto chain = registrar->FindChain(channel.name);
      if (chain == nullptr) continue;
      auto channel_config = chain->ChannelConfig();
      if (channel_config->orderer() && channel_config->orderer()->consensus_type == "kafka") {
        return kafka->Connectivity();
      }
    }
    return absl::OkStatus();
  }));
  WEFT_RETURN_IF_ERROR(Annotate(parts.operations->Start(),
                                "starting the operations endpoint (Operations.ListenAddress)"));
  parts.started = true;

  // BuildServer has bound the address, so it parses.
  const std::string grpc_address = common::settings::JoinHostPort(
      common::settings::SplitHostPort(parts.config.general.server.listen_address)->host,
      parts.grpc.port);
  std::cout << fmt::format("orderer started: grpc={} admin={} operations={}", grpc_address,
                           parts.admin->address(), parts.operations->address())
            << std::endl;
  parts.logger->Info("orderer {} serving on {} (MSP {})", kVersion, grpc_address,
                     parts.config.general.local_msp_id);
  return absl::OkStatus();
}

void OrdererNode::Stop() {
  Parts& parts = *parts_;
  if (parts.grpc.server)
    parts.grpc.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (parts.admin) parts.admin->Stop();
  if (parts.operations) parts.operations->Stop();
  if (parts.registrar) parts.registrar->HaltAll();
  if (parts.started) parts.logger->Info("orderer stopped");
  parts.started = false;
}

}  // namespace weft::orderer::node
