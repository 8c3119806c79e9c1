#include "tests/support/gateway_network.h"

#include <fstream>
#include <regex>
#include <stdexcept>

#include "client-sdk/signer.h"
#include "common/protoutil/txid.h"
#include "peer/chaincode_event.pb.h"
#include "peer/ledger/rwset/rwset.h"

namespace weft::testing {

msp::SigningIdentity LoadIdentity(const std::filesystem::path& msp_dir, const std::string& msp_id) {
  auto signer = client::LoadSigner(msp_dir, msp_id);
  if (!signer.ok()) {
    throw std::runtime_error("loading the identity of " + msp_dir.string() + ": " +
                             signer.status().ToString());
  }
  return *std::move(signer);
}

std::string LoggedPeerAddress(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line, address;
  const std::regex started("serving on (\\S+) \\(MSP");
  std::smatch match;
  while (std::getline(in, line)) {
    if (std::regex_search(line, match, started)) address = match[1];
  }
  if (address.empty()) throw std::runtime_error("no \"serving on\" line in " + log.string());
  return address;
}

client::GatewayOptions GatewayOptionsFor(const PeerNetwork& network, int org) {
  client::GatewayOptions options;
  options.endpoint = LoggedPeerAddress(network.PeerLog(org));
  options.grpc = network.PeerClientSettings(org);
  options.timeouts.evaluate = std::chrono::seconds(30);
  options.timeouts.endorse = std::chrono::seconds(30);
  options.timeouts.submit = std::chrono::seconds(30);
  options.timeouts.commit_status = std::chrono::seconds(120);
  return options;
}

GatewayNetwork::GatewayNetwork(const std::filesystem::path& bin_dir,
                               const std::filesystem::path& source_dir,
                               PeerNetworkOptions options) {
  options.bin_dir = bin_dir;
  options.source_dir = source_dir;
  network_ = std::make_unique<PeerNetwork>(std::move(options));
  user_ = std::make_unique<msp::SigningIdentity>(
      LoadIdentity(network_->UserMsp(1, "User1"), PeerNetwork::MspId(1)));
  for (int org = 1; org <= PeerNetwork::kOrgs; ++org) {
    peers_[org - 1] = std::make_unique<msp::SigningIdentity>(
        LoadIdentity(network_->PeerMsp(org), PeerNetwork::MspId(org)));
  }
}

EndorserTx GatewayNetwork::EventTx(const std::string& chaincode, const std::string& key,
                                   const std::string& nonce_prefix) const {
  EndorserTxSpec spec;
  spec.channel_id = network_->channel();
  spec.chaincode = chaincode;
  spec.creator = user_.get();
  for (const auto& peer : peers_) spec.endorsers.push_back(peer.get());
  spec.nonce = nonce_prefix + "-" + key + "-0123456789";
  const std::string tx_id =
      common::protoutil::ComputeTxId(*spec.nonce, user_->SerializedIdentity());
  peer::ledger::rwset::RwSetBuilder builder;
  builder.AddWrite(spec.chaincode, key, "value of " + key);
  spec.results = builder.Build();
  ::protos::ChaincodeEvent event;
  event.set_chaincode_id(spec.chaincode);
  event.set_tx_id(tx_id);
  event.set_event_name("created " + key);
  event.set_payload(key);
  spec.events = event.SerializeAsString();
  return BuildEndorserTx(spec);
}

}  // namespace weft::testing
