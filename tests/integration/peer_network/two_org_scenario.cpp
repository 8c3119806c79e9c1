#include "tests/integration/peer_network/two_org_scenario.h"

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "client-sdk/proposal_builder.h"
#include "client-sdk/signer.h"
#include "client-sdk/transaction_builder.h"
#include "common/protoutil/block.h"
#include "common/protoutil/envelope.h"
#include "common/protoutil/proposal.h"
#include "common/protoutil/response.h"
#include "common/protoutil/serialize.h"
#include "common/protoutil/txid.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "orderer/kafka.pb.h"
#include "peer/chaincode_event.pb.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "peer/lifecycle/ledger_state.h"
#include "peer/policy.pb.h"
#include "peer/query.pb.h"
#include "tests/support/endorser_tx.h"
#include "tests/support/wait_until.h"

namespace weft::testing::peer_network {
namespace {

namespace fs = std::filesystem;
namespace protoutil = common::protoutil;
using peer::ledger::rwset::RwSetBuilder;
using peer::ledger::statedb::Version;

// Generous: the machine running the tests may be loaded.
constexpr auto kCommitTimeout = std::chrono::seconds(180);
constexpr char kNoDefinition[] = "nodefinition";

msp::SigningIdentity Load(const fs::path& msp_dir, const std::string& msp_id) {
  auto signer = client::LoadSigner(msp_dir, msp_id);
  INFO(signer.status().ToString());
  REQUIRE(signer.ok());
  return *std::move(signer);
}

// A proposal to a system chaincode as Fabric's peer CLI sends it (GOLANG type); with
// `config_type` its header type is CONFIG (`peer channel join`).
::protos::SignedProposal SystemProposal(const msp::SigningIdentity& signer,
                                        const std::string& channel, const std::string& chaincode,
                                        const std::vector<std::string>& args,
                                        bool config_type = false) {
  protoutil::ChaincodeProposalSpec spec;
  spec.channel_id = channel;
  spec.chaincode_name = chaincode;
  spec.args = args;
  spec.chaincode_type = ::protos::ChaincodeSpec::GOLANG;
  auto created = protoutil::CreateChaincodeProposal(spec, signer.SerializedIdentity());
  REQUIRE(created.ok());
  ::protos::Proposal proposal = created->proposal;
  if (config_type) {
    ::common::Header header;
    REQUIRE(header.ParseFromString(proposal.header()));
    ::common::ChannelHeader channel_header;
    REQUIRE(channel_header.ParseFromString(header.channel_header()));
    channel_header.set_type(::common::CONFIG);
    header.set_channel_header(channel_header.SerializeAsString());
    proposal.set_header(header.SerializeAsString());
  }
  auto signed_proposal = protoutil::SignProposal(proposal, signer);
  REQUIRE(signed_proposal.ok());
  return *signed_proposal;
}

// _lifecycle's state as seen by a channel that has no definitions yet: every read
// finds nothing (recorded as a read of an absent key, as a simulator does) and the
// writes are collected into the rwset of namespace _lifecycle.
class RecordingLifecycleState final : public peer::lifecycle::ReadWritableState {
 public:
  [[nodiscard]] StatusOr<std::string> GetState(std::string_view key) override {
    builder_.AddRead(peer::lifecycle::kLifecycleNamespace, key, std::nullopt);
    return std::string();
  }
  [[nodiscard]] Status PutState(std::string_view key, std::string_view value) override {
    builder_.AddWrite(peer::lifecycle::kLifecycleNamespace, key, std::string(value));
    return absl::OkStatus();
  }
  [[nodiscard]] Status DelState(std::string_view key) override {
    builder_.AddDelete(peer::lifecycle::kLifecycleNamespace, key);
    return absl::OkStatus();
  }
  ::rwset::TxReadWriteSet Build() const { return builder_.Build(); }

 private:
  RwSetBuilder builder_;
};

// kChaincode's definition: sequence 1, version 1.0, the builtin plugins, validated
// against the channel's /Channel/Application/Endorsement policy (Fabric's default
// when `peer lifecycle chaincode commit` names no policy).
peer::lifecycle::ChaincodeDefinition Definition() {
  peer::lifecycle::ChaincodeDefinition definition;
  definition.sequence = 1;
  definition.endorsement_info.set_version("1.0");
  definition.endorsement_info.set_endorsement_plugin("escc");
  definition.validation_info.set_validation_plugin("vscc");
  ::protos::ApplicationPolicy policy;
  policy.set_channel_config_policy_reference("/Channel/Application/Endorsement");
  definition.validation_info.set_validation_parameter(policy.SerializeAsString());
  return definition;
}

struct Write {
  std::string key;
  std::string value;
};
struct Read {
  std::string key;
  Version version;
};

::rwset::TxReadWriteSet Rwset(const std::string& ns, const std::vector<Read>& reads,
                              const std::vector<Write>& writes) {
  RwSetBuilder builder;
  for (const auto& read : reads) builder.AddRead(ns, read.key, read.version);
  for (const auto& write : writes) builder.AddWrite(ns, write.key, write.value);
  return builder.Build();
}

std::string TransactionsFilter(const ::common::Block& block) {
  if (block.metadata().metadata_size() <= ::common::TRANSACTIONS_FILTER) return "";
  return block.metadata().metadata(::common::TRANSACTIONS_FILTER);
}

// The COMMIT_HASH metadata value (the peer's commit hash of the block).
std::string CommitHash(const ::common::Block& block) {
  if (block.metadata().metadata_size() <= ::common::COMMIT_HASH) return "";
  ::common::Metadata metadata;
  if (!metadata.ParseFromString(block.metadata().metadata(::common::COMMIT_HASH))) return "";
  return metadata.value();
}

std::string TxId(const std::string& envelope_bytes) {
  auto opened = protoutil::OpenEnvelope(std::string_view(envelope_bytes));
  return opened.ok() ? opened->channel_header.tx_id() : "";
}

// The last lines of a process's log, for failure messages (the network's folder is
// removed with the test).
std::string LogTail(const fs::path& log) {
  std::ifstream in(log, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  constexpr size_t kTail = 4000;
  return all.size() <= kTail ? all : all.substr(all.size() - kTail);
}

std::string CodeName(::protos::TxValidationCode code) {
  return ::protos::TxValidationCode_Name(code);
}

}  // namespace

struct TwoOrgScenario::Clients {
  std::unique_ptr<client::EndorserClient> endorsers[2];
  std::unique_ptr<client::PeerDeliverClient> delivers[2];
  std::unique_ptr<client::BroadcastClient> broadcast;
};

TwoOrgScenario::TwoOrgScenario(PeerNetwork& network)
    : network_(network), clients_(std::make_unique<Clients>()) {
  for (int org = 1; org <= 2; ++org) {
    const std::string msp_id = PeerNetwork::MspId(org);
    admins_[org - 1] =
        std::make_unique<msp::SigningIdentity>(Load(network_.UserMsp(org, "Admin"), msp_id));
    users_[org - 1] =
        std::make_unique<msp::SigningIdentity>(Load(network_.UserMsp(org, "User1"), msp_id));
    peers_[org - 1] = std::make_unique<msp::SigningIdentity>(Load(network_.PeerMsp(org), msp_id));
  }
  ConnectOrderers();
}

TwoOrgScenario::~TwoOrgScenario() = default;

void TwoOrgScenario::ConnectOrderers() {
  auto broadcast = client::BroadcastClient::Connect(network_.orderer_addresses(),
                                                    network_.OrdererClientSettings());
  REQUIRE(broadcast.ok());
  clients_->broadcast = *std::move(broadcast);
}

void TwoOrgScenario::ConnectPeer(int org, const std::string& address) {
  auto endorser = client::EndorserClient::Connect(address, network_.PeerClientSettings(org));
  REQUIRE(endorser.ok());
  clients_->endorsers[org - 1] = *std::move(endorser);
  auto deliver = client::PeerDeliverClient::Connect(address, network_.PeerClientSettings(org));
  REQUIRE(deliver.ok());
  clients_->delivers[org - 1] = *std::move(deliver);
}

void TwoOrgScenario::StartAndJoinPeers() {
  for (int org = 1; org <= 2; ++org) {
    INFO("peer0.org" << org);
    const PeerEndpoints endpoints = network_.StartPeer(org);
    ConnectPeer(org, endpoints.grpc);
    const auto& endorser = *clients_->endorsers[org - 1];
    // cscc JoinChain: a channel-less CONFIG proposal with the genesis block, allowed to
    // the local MSP's Admins (Fabric's core/scc/cscc/configure.go Invoke, aclmgmt's
    // channel-less check).
    auto joined = endorser.ProcessProposal(SystemProposal(
        *admins_[org - 1], "", "cscc", {"JoinChain", network_.genesis_block()}, true));
    INFO(joined.status().ToString());
    REQUIRE(joined.ok());
    INFO(joined->response().message());
    REQUIRE(joined->response().status() == 200);

    auto listed =
        endorser.ProcessProposal(SystemProposal(*users_[org - 1], "", "cscc", {"GetChannels"}));
    REQUIRE(listed.ok());
    INFO(listed->response().message());
    REQUIRE(listed->response().status() == 200);
    ::protos::ChannelQueryResponse channels;
    REQUIRE(channels.ParseFromString(listed->response().payload()));
    REQUIRE(channels.channels_size() == 1);
    CHECK(channels.channels(0).channel_id() == network_.channel());
  }
}

SentTx TwoOrgScenario::Endorsed(const std::string& label, const std::string& chaincode,
                                const std::string& version, const ::rwset::TxReadWriteSet& results,
                                const std::vector<const msp::SigningIdentity*>& endorsers,
                                const msp::SigningIdentity& creator, const std::string& events) {
  INFO(label);
  client::ProposalRequest request;
  request.channel_id = network_.channel();
  request.chaincode_name = chaincode;
  request.function = "invoke";
  request.args = {label};
  auto proposal = client::CreateSignedProposal(request, creator);
  REQUIRE(proposal.ok());
  auto opened = protoutil::OpenSignedProposal(proposal->signed_proposal);
  REQUIRE(opened.ok());

  // What each endorser's escc signs (Fabric's core/handlers/endorsement/builtin
  // DefaultEndorsement over the ProposalResponsePayload of protoutil.CreateProposalResponse).
  ::protos::ChaincodeAction action;
  action.set_results(protoutil::DeterministicSerialize(results));
  action.set_events(events);
  *action.mutable_response() = protoutil::ChaincodeSuccess("");
  action.mutable_chaincode_id()->set_name(chaincode);
  action.mutable_chaincode_id()->set_version(version);
  ::protos::ProposalResponsePayload payload;
  payload.set_proposal_hash(opened->ProposalHash());
  payload.set_extension(protoutil::DeterministicSerialize(action));
  const std::string payload_bytes = protoutil::DeterministicSerialize(payload);
  std::vector<::protos::ProposalResponse> responses;
  for (const auto* endorser : endorsers) {
    ::protos::ProposalResponse response;
    response.set_version(1);
    *response.mutable_response() = protoutil::ChaincodeSuccess("");
    response.set_payload(payload_bytes);
    auto endorsement = protoutil::CreateEndorsement(payload_bytes, *endorser);
    REQUIRE(endorsement.ok());
    *response.mutable_endorsement() = *std::move(endorsement);
    responses.push_back(std::move(response));
  }
  auto envelope = client::CreateSignedTransaction(proposal->proposal, responses, creator);
  INFO(envelope.status().ToString());
  REQUIRE(envelope.ok());
  return SentTx{label, *std::move(envelope), proposal->tx_id, ::protos::VALID};
}

void TwoOrgScenario::Submit(const SentTx& tx) {
  INFO(tx.label);
  const Status submitted = clients_->broadcast->Submit(tx.envelope);
  INFO(submitted.ToString());
  REQUIRE(submitted.ok());
  sent_.push_back(tx);
}

StatusOr<std::vector<::common::Block>> TwoOrgScenario::TryPeerBlocks(int org) {
  auto seek = client::CreateSeekEnvelope(
      network_.channel(), protoutil::MakeSeekInfo(protoutil::SeekOldest(), protoutil::SeekNewest()),
      *users_[org - 1]);
  if (!seek.ok()) return seek.status();
  std::vector<::common::Block> blocks;
  auto status = clients_->delivers[org - 1]->Deliver(*seek, [&](const ::common::Block& block) {
    blocks.push_back(block);
    return true;
  });
  if (!status.ok()) return status.status();
  if (*status != ::common::SUCCESS) {
    return absl::UnavailableError("peer0.org" + std::to_string(org) +
                                  " ended Deliver with status " + ::common::Status_Name(*status));
  }
  return blocks;
}

std::vector<::common::Block> TwoOrgScenario::PeerBlocks(int org) {
  auto blocks = TryPeerBlocks(org);
  INFO("peer0.org" << org << " Deliver: " << blocks.status().ToString());
  REQUIRE(blocks.ok());
  return *std::move(blocks);
}

std::vector<CommittedTx> TwoOrgScenario::Committed(int org) { return CommittedIn(PeerBlocks(org)); }

std::vector<CommittedTx> TwoOrgScenario::CommittedIn(const std::vector<::common::Block>& blocks) {
  std::vector<CommittedTx> committed;
  for (const auto& block : blocks) {
    const std::string filter = TransactionsFilter(block);
    REQUIRE(filter.size() == static_cast<size_t>(block.data().data_size()));
    for (int i = 0; i < block.data().data_size(); ++i) {
      CommittedTx tx;
      tx.tx_id = TxId(block.data().data(i));
      tx.block = block.header().number();
      tx.index = static_cast<uint64_t>(i);
      tx.code = static_cast<::protos::TxValidationCode>(static_cast<uint8_t>(filter[i]));
      committed.push_back(std::move(tx));
    }
  }
  return committed;
}

void TwoOrgScenario::WaitForAll() {
  std::map<std::string, size_t> wanted;
  for (const auto& tx : sent_) ++wanted[tx.tx_id];
  for (int org = 1; org <= 2; ++org) {
    if (!network_.PeerRunning(org)) continue;
    size_t missing = 0;
    std::string last_error;
    const bool all = WaitUntil(
        [&] {
          // A failed Deliver (a peer still starting, say) is retried until the deadline.
          auto blocks = TryPeerBlocks(org);
          if (!blocks.ok()) {
            last_error = blocks.status().ToString();
            return false;
          }
          std::map<std::string, size_t> have;
          for (const auto& tx : CommittedIn(*blocks)) ++have[tx.tx_id];
          missing = 0;
          for (const auto& [tx_id, count] : wanted) {
            if (have[tx_id] < count) missing += count - have[tx_id];
          }
          return missing == 0;
        },
        kCommitTimeout);
    INFO("peer0.org" << org << " lacks " << missing << " transactions (last Deliver error: "
                     << last_error << "); the end of its log:\n"
                     << LogTail(network_.PeerLog(org)));
    REQUIRE(all);
  }
}

void TwoOrgScenario::CheckCodes() {
  for (int org = 1; org <= 2; ++org) {
    INFO("peer0.org" << org);
    // The k-th sending of a tx id is its k-th occurrence in the chain.
    std::map<std::string, std::vector<CommittedTx>> by_id;
    for (const auto& tx : Committed(org)) {
      if (tx.block > 0) by_id[tx.tx_id].push_back(tx);
    }
    std::map<std::string, size_t> seen;
    for (const auto& tx : sent_) {
      INFO(tx.label << " (tx " << tx.tx_id << ")");
      const size_t occurrence = seen[tx.tx_id]++;
      REQUIRE(by_id[tx.tx_id].size() > occurrence);
      CHECK(CodeName(by_id[tx.tx_id][occurrence].code) == CodeName(tx.expected));
    }
    // Nothing else was committed, nothing twice.
    size_t committed = 0;
    for (const auto& [tx_id, txs] : by_id) committed += txs.size();
    CHECK(committed == sent_.size());

    // DeliverFiltered reports the same tx ids and codes, block by block (Fabric's
    // core/peer/deliverevents.go: a filtered transaction per envelope).
    const std::vector<CommittedTx> all = Committed(org);
    auto seek = client::CreateSeekEnvelope(
        network_.channel(),
        protoutil::MakeSeekInfo(protoutil::SeekOldest(),
                                protoutil::SeekSpecified(all.empty() ? 0 : all.back().block)),
        *users_[org - 1]);
    REQUIRE(seek.ok());
    std::vector<CommittedTx> filtered;
    auto status = clients_->delivers[org - 1]->DeliverFiltered(
        *seek, [&](const ::protos::FilteredBlock& block) {
          for (const auto& tx : block.filtered_transactions()) {
            filtered.push_back({tx.txid(), block.number(), 0, tx.tx_validation_code()});
          }
          return true;
        });
    REQUIRE(status.ok());
    CHECK(*status == ::common::SUCCESS);
    REQUIRE(filtered.size() == all.size());
    for (size_t i = 0; i < all.size(); ++i) {
      INFO("transaction " << all[i].index << " of block " << all[i].block);
      CHECK(filtered[i].block == all[i].block);
      CHECK(filtered[i].tx_id == all[i].tx_id);
      CHECK(CodeName(filtered[i].code) == CodeName(all[i].code));
    }

    // qscc GetTransactionByID reports the code of a tx id's first (only) commit.
    for (const auto& tx : sent_) {
      if (seen[tx.tx_id] != 1) continue;
      INFO(tx.label);
      auto answer = clients_->endorsers[org - 1]->ProcessProposal(
          SystemProposal(*users_[org - 1], network_.channel(), "qscc",
                         {"GetTransactionByID", network_.channel(), tx.tx_id}));
      REQUIRE(answer.ok());
      INFO(answer->response().message());
      REQUIRE(answer->response().status() == 200);
      ::protos::ProcessedTransaction processed;
      REQUIRE(processed.ParseFromString(answer->response().payload()));
      CHECK(CodeName(static_cast<::protos::TxValidationCode>(processed.validationcode())) ==
            CodeName(tx.expected));
    }
  }
}

void TwoOrgScenario::DefineChaincode() {
  RecordingLifecycleState state;
  REQUIRE(peer::lifecycle::WriteChaincodeDefinition(kChaincode, Definition(), state).ok());
  const ::rwset::TxReadWriteSet results = state.Build();
  const std::string lifecycle(peer::lifecycle::kLifecycleNamespace);
  // _lifecycle is a system chaincode: its actions carry version "syscc" (Fabric's
  // scc.SysCCVersion, which lifecycle's ChaincodeEndorsementInfo returns for it).
  const auto* peer1 = peers_[0].get();
  const auto* peer2 = peers_[1].get();
  // Writes to _lifecycle are validated against /Channel/Application/LifecycleEndorsement
  // (lifecycle's ValidationInfo for _lifecycle; MAJORITY Endorsement of two orgs needs
  // both): one org's endorsement fails (plugindispatcher Dispatch maps the builtin
  // plugin's policy error to ENDORSEMENT_POLICY_FAILURE).
  SentTx one_org = Endorsed("definition endorsed by Org1's peer only", lifecycle, "syscc", results,
                            {peer1}, *admins_[0]);
  one_org.expected = ::protos::ENDORSEMENT_POLICY_FAILURE;
  Submit(one_org);
  Submit(Endorsed("definition endorsed by both peers", lifecycle, "syscc", results, {peer1, peer2},
                  *admins_[0]));
  WaitForAll();
  CheckCodes();
}

void TwoOrgScenario::RunTransactions() {
  const auto* peer1 = peers_[0].get();
  const auto* peer2 = peers_[1].get();
  const auto& user1 = *users_[0];
  const auto& user2 = *users_[1];

  // Round 1: one block's worth of transactions, valid ones around the bad ones.
  const SentTx first =
      Endorsed("valid: writes asset1 and asset2", kChaincode, "1.0",
               Rwset(kChaincode, {}, {{"asset1", "v1"}, {"asset2", "v1"}}), {peer1, peer2}, user1);
  Submit(first);

  // Endorsement = MAJORITY Endorsement of two orgs: Org1's peer alone is not enough
  // (builtin v20 validation_logic.go Validate -> policy evaluation fails).
  SentTx one_org = Endorsed("endorsed by Org1's peer only", kChaincode, "1.0",
                            Rwset(kChaincode, {}, {{"asset3", "v1"}}), {peer1}, user1);
  one_org.expected = ::protos::ENDORSEMENT_POLICY_FAILURE;
  Submit(one_org);

  // No committed definition: GetInfoForValidate fails -> INVALID_CHAINCODE (Dispatch).
  SentTx undefined = Endorsed("chaincode without a definition", kNoDefinition, "1.0",
                              Rwset(kNoDefinition, {}, {{"key", "v1"}}), {peer1, peer2}, user2);
  undefined.expected = ::protos::INVALID_CHAINCODE;
  Submit(undefined);

  // A channel header tx id that is not SHA-256(nonce || creator): Fabric's
  // core/common/validation/msgvalidation.go ValidateTransaction (protoutil.CheckTxID)
  // -> BAD_PROPOSAL_TXID. The orderer does not look at tx ids.
  {
    EndorserTxSpec spec;
    spec.channel_id = network_.channel();
    spec.chaincode = kChaincode;
    spec.results = Rwset(kChaincode, {}, {{"asset4", "v1"}});
    spec.creator = &user1;
    spec.endorsers = {peer1, peer2};
    const std::string forged = protoutil::ComputeTxId("another nonce", user1.serialized());
    spec.edit_channel_header = [&](::common::ChannelHeader& header) { header.set_tx_id(forged); };
    const EndorserTx built = BuildEndorserTx(spec);
    Submit(SentTx{"tx id not derived from nonce and creator", built.envelope, forged,
                  ::protos::BAD_PROPOSAL_TXID});
  }

  // The same namespace twice in the rwset: Dispatch -> ILLEGAL_WRITESET.
  {
    ::rwset::TxReadWriteSet twice = Rwset(kChaincode, {}, {{"asset5", "v1"}});
    *twice.add_ns_rwset() = twice.ns_rwset(0);
    SentTx tx =
        Endorsed("namespace twice in the rwset", kChaincode, "1.0", twice, {peer1, peer2}, user2);
    tx.expected = ::protos::ILLEGAL_WRITESET;
    Submit(tx);
  }

  // A chaincode event naming another chaincode: Dispatch -> INVALID_OTHER_REASON.
  {
    ::protos::ChaincodeEvent event;
    event.set_chaincode_id("another");
    event.set_event_name("created");
    SentTx tx = Endorsed("event of another chaincode", kChaincode, "1.0",
                         Rwset(kChaincode, {}, {{"asset6", "v1"}}), {peer1, peer2}, user1,
                         event.SerializeAsString());
    tx.expected = ::protos::INVALID_OTHER_REASON;
    Submit(tx);
  }

  // The creator's signature over the payload broken: the peer's validator would say
  // BAD_CREATOR_SIGNATURE (ValidateTransaction, checkSignatureFromCreator), but an
  // honest orderer never orders it: its msgprocessor SigFilter checks /Channel/Writers
  // over the same signature and answers FORBIDDEN, which the gateway's submit rule
  // (client layer) reports as a client error.
  {
    SentTx tx = Endorsed("creator signature broken", kChaincode, "1.0",
                         Rwset(kChaincode, {}, {{"asset9", "v1"}}), {peer1, peer2}, user1);
    std::string signature = tx.envelope.signature();
    signature.back() = static_cast<char>(signature.back() ^ 0x01);
    tx.envelope.set_signature(signature);
    const Status refused = clients_->broadcast->Submit(tx.envelope);
    CHECK(refused.code() == absl::StatusCode::kAborted);
    CHECK_THAT(std::string(refused.message()), Catch::Contains("status=FORBIDDEN"));
  }

  Submit(Endorsed("valid: writes asset7", kChaincode, "1.0",
                  Rwset(kChaincode, {}, {{"asset7", "v1"}}), {peer1, peer2}, user2));
  WaitForAll();
  CheckCodes();

  // Round 2 reads what round 1 wrote, at the version the peers committed it with.
  std::optional<CommittedTx> where;
  for (const auto& tx : Committed(1)) {
    if (tx.tx_id == first.tx_id) where = tx;
  }
  REQUIRE(where.has_value());
  const Version written{where->block, where->index};

  Submit(Endorsed("valid: reads asset1 at its version, writes it", kChaincode, "1.0",
                  Rwset(kChaincode, {{"asset1", written}}, {{"asset1", "v2"}}), {peer1, peer2},
                  user1));
  // The version read is no longer the committed one (the transaction before changed
  // it): the ledger's MVCC check -> MVCC_READ_CONFLICT (Fabric's
  // core/ledger/kvledger/txmgmt/validation validator.validateKVRead).
  SentTx stale =
      Endorsed("stale read of asset1", kChaincode, "1.0",
               Rwset(kChaincode, {{"asset1", written}}, {{"asset1", "v3"}}), {peer1, peer2}, user2);
  stale.expected = ::protos::MVCC_READ_CONFLICT;
  Submit(stale);
  // A tx id already in the ledger: txvalidator v20 checkTxIdDupsLedger -> DUPLICATE_TXID.
  SentTx again = first;
  again.label = "first transaction sent again";
  again.expected = ::protos::DUPLICATE_TXID;
  Submit(again);
  Submit(Endorsed("valid: reads asset2 at its version, writes it", kChaincode, "1.0",
                  Rwset(kChaincode, {{"asset2", written}}, {{"asset2", "v2"}}), {peer1, peer2},
                  user2));
  // The same transaction twice in a row: the later copy is DUPLICATE_TXID (in one
  // block: the v20 validator's in-block tx id check; across blocks: the ledger's).
  const SentTx twice = Endorsed("valid: writes asset8", kChaincode, "1.0",
                                Rwset(kChaincode, {}, {{"asset8", "v1"}}), {peer1, peer2}, user1);
  Submit(twice);
  SentTx copy = twice;
  copy.label = "asset8 transaction sent twice";
  copy.expected = ::protos::DUPLICATE_TXID;
  Submit(copy);
  WaitForAll();
  CheckCodes();

  expected_state_["asset1"] = "v2";
  expected_state_["asset2"] = "v2";
  expected_state_["asset7"] = "v1";
  expected_state_["asset8"] = "v1";
}

void TwoOrgScenario::InjectThroughKafka(MockKafkaProcess& kafka) {
  const auto* peer1 = peers_[0].get();
  const auto* peer2 = peers_[1].get();
  // Fabric's Kafka orderers re-validate a NORMAL message only when its config
  // sequence is behind the channel's (release-2.2 orderer/consensus/kafka/chain.go
  // processRegular), so a record written to the partition by anyone but an orderer is
  // ordered as is; the committing peer's ValidateTransaction (checkSignatureFromCreator)
  // is what catches the broken signature: BAD_CREATOR_SIGNATURE.
  SentTx forged =
      Endorsed("creator signature broken, written to the Kafka partition", kChaincode, "1.0",
               Rwset(kChaincode, {}, {{"asset9", "v1"}}), {peer1, peer2}, *users_[1]);
  std::string signature = forged.envelope.signature();
  signature.back() = static_cast<char>(signature.back() ^ 0x01);
  forged.envelope.set_signature(signature);
  forged.expected = ::protos::BAD_CREATOR_SIGNATURE;
  ::orderer::KafkaMessage message;
  message.mutable_regular()->set_payload(forged.envelope.SerializeAsString());
  message.mutable_regular()->set_config_seq(0);  // the genesis config's sequence
  message.mutable_regular()->set_class_(::orderer::KafkaMessageRegular::NORMAL);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : message.SerializeAsString()) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  REQUIRE(kafka.Command("produce " + network_.channel() + " " + hex) == "ok");
  sent_.push_back(forged);

  Submit(Endorsed("valid: writes asset10", kChaincode, "1.0",
                  Rwset(kChaincode, {}, {{"asset10", "v1"}}), {peer1, peer2}, *users_[0]));
  expected_state_["asset10"] = "v1";
  WaitForAll();
  CheckCodes();
}

void TwoOrgScenario::SubmitMoreValid(const std::string& prefix, int count) {
  for (int i = 0; i < count; ++i) {
    const std::string key = "more-" + prefix + "-" + std::to_string(i);
    Submit(Endorsed("valid: writes " + key, kChaincode, "1.0", Rwset(kChaincode, {}, {{key, "v"}}),
                    {peers_[0].get(), peers_[1].get()}, *users_[i % 2]));
    expected_state_[key] = "v";
  }
}

void TwoOrgScenario::RunMoreValid(const std::string& prefix, int count) {
  SubmitMoreValid(prefix, count);
  WaitForAll();
  CheckCodes();
}

void TwoOrgScenario::RunWhilePeerKilled(int org, const std::string& prefix, int count) {
  CHECK(network_.StopPeer(org, SIGKILL) == -SIGKILL);
  SubmitMoreValid(prefix, count);
  WaitForAll();  // the other peer
  ConnectPeer(org, network_.StartPeer(org).grpc);
  WaitForAll();
  CheckCodes();
}

void TwoOrgScenario::CheckChainsAgree(int orderer) {
  WaitForAll();
  std::vector<::common::Block> chains[2] = {PeerBlocks(1), PeerBlocks(2)};
  REQUIRE(chains[0].size() == chains[1].size());
  const size_t height = chains[0].size();
  for (size_t i = 0; i < height; ++i) {
    INFO("block " << i);
    const auto& a = chains[0][i];
    const auto& b = chains[1][i];
    CHECK(a.header().number() == i);
    if (i > 0) {
      CHECK(a.header().previous_hash() == protoutil::BlockHeaderHash(chains[0][i - 1].header()));
    }
    CHECK(protoutil::BlockHeaderHash(a.header()) == protoutil::BlockHeaderHash(b.header()));
    CHECK(a.data().SerializeAsString() == b.data().SerializeAsString());
    CHECK(TransactionsFilter(a) == TransactionsFilter(b));
    // Fabric adds COMMIT_HASH from block 1 on (kvledger addBlockCommitHash).
    if (i > 0) {
      CHECK_FALSE(CommitHash(a).empty());
      CHECK(CommitHash(a) == CommitHash(b));
    }
  }

  // The orderer's blocks: the same headers (so the same hashes) and data.
  auto orderer_client = client::OrdererClient::Connect(network_.orderer_address(orderer),
                                                       network_.OrdererClientSettings());
  REQUIRE(orderer_client.ok());
  std::vector<::common::Block> ordered;
  auto status = (*orderer_client)
                    ->Deliver(network_.channel(), 0, height - 1, *users_[0], true,
                              [&](const ::common::Block& block) {
                                ordered.push_back(block);
                                return true;
                              });
  INFO(status.status().ToString());
  REQUIRE(status.ok());
  CHECK(*status == ::common::SUCCESS);
  REQUIRE(ordered.size() == height);
  for (size_t i = 0; i < height; ++i) {
    INFO("block " << i);
    CHECK(protoutil::BlockHeaderHash(ordered[i].header()) ==
          protoutil::BlockHeaderHash(chains[0][i].header()));
    CHECK(ordered[i].data().SerializeAsString() == chains[0][i].data().SerializeAsString());
  }
}

void TwoOrgScenario::StopPeersAndCompareLedgers() {
  for (int org = 1; org <= 2; ++org) {
    INFO("peer0.org" << org);
    CHECK(network_.StopPeer(org) == 0);
  }
  using State = std::map<std::string, std::map<std::string, std::string>>;
  State states[2];
  std::string commit_hashes[2];
  uint64_t heights[2] = {0, 0};
  for (int org = 1; org <= 2; ++org) {
    INFO("peer0.org" << org);
    peer::ledger::LedgerManager manager(network_.PeerLedgersDir(org));
    auto ledger = manager.OpenLedger(network_.channel());
    INFO(ledger.status().ToString());
    REQUIRE(ledger.ok());
    heights[org - 1] = (*ledger)->GetBlockchainInfo().height;
    commit_hashes[org - 1] = (*ledger)->commit_hash();
    auto executor = (*ledger)->NewQueryExecutor();
    for (const std::string& ns : {std::string(kChaincode), std::string(kNoDefinition),
                                  std::string(peer::lifecycle::kLifecycleNamespace)}) {
      auto iterator = executor->GetStateRangeScanIterator(ns, "", "");
      REQUIRE(iterator.ok());
      auto& kvs = states[org - 1][ns];
      while (true) {
        auto next = (*iterator)->Next();
        REQUIRE(next.ok());
        if (!next->has_value()) break;
        kvs[(*next)->key()] = (*next)->value();
      }
    }
    // The definition reads back as written.
    peer::lifecycle::LifecycleQueryState lifecycle_state(*executor);
    auto definition = peer::lifecycle::ChaincodeDefinitionIfDefined(kChaincode, lifecycle_state);
    REQUIRE(definition.ok());
    REQUIRE(definition->has_value());
    CHECK((*definition)->sequence == 1);
    CHECK((*definition)->endorsement_info.version() == "1.0");
    executor->Done();
  }
  CHECK(heights[0] == heights[1]);
  CHECK_FALSE(commit_hashes[0].empty());
  CHECK(commit_hashes[0] == commit_hashes[1]);
  CHECK(states[0] == states[1]);
  // Only valid transactions changed state.
  CHECK(states[0][kChaincode] == expected_state_);
  CHECK(states[0][kNoDefinition].empty());
}

}  // namespace weft::testing::peer_network
