// The two-org scenario of issue [F8]'s "Done when", shared by the solo and the Kafka
// variant: both orgs' peers join the channel through cscc, a chaincode definition is
// written through _lifecycle state, application transactions and one transaction per
// bad case are ordered, and every transaction's validation code is checked on both
// peers; then both peers' chains and state are compared with each other and with the
// orderer's blocks. Transactions are endorsed in the test by the peers' own signing
// identities (loaded from their MSP folders): the peers run no application chaincode
// here, so the test plays escc with their keys.
// Test thread only: the methods assert with Catch2.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client-sdk/endorser_client.h"
#include "client-sdk/orderer_client.h"
#include "client-sdk/peer_deliver_client.h"
#include "common/common.pb.h"
#include "common/status/status.h"
#include "ledger/rwset/rwset.pb.h"
#include "msp/signing_identity.h"
#include "peer/transaction.pb.h"
#include "tests/support/peer_network.h"

namespace weft::testing::peer_network {

inline constexpr char kChaincode[] = "basic";

// One transaction as a peer committed it: its position and validation code.
struct CommittedTx {
  std::string tx_id;
  uint64_t block = 0;
  uint64_t index = 0;
  ::protos::TxValidationCode code = ::protos::NOT_VALIDATED;
};

// A transaction the test sent, with the code Fabric's v20 validator gives it.
struct SentTx {
  std::string label;  // what the case is, for failure messages
  ::common::Envelope envelope;
  std::string tx_id;
  ::protos::TxValidationCode expected = ::protos::VALID;
};

class TwoOrgScenario {
 public:
  explicit TwoOrgScenario(PeerNetwork& network);
  ~TwoOrgScenario();

  // Starts both peers and joins each to the channel through cscc JoinChain, sent by
  // its org's admin; GetChannels then lists the channel.
  void StartAndJoinPeers();
  // (Re)connects the clients of org `org`'s peer after it (re)started.
  void ConnectPeer(int org, const std::string& address);
  // A fresh broadcast client for every orderer endpoint. Used after an orderer came
  // back: the old client's gRPC channel to it keeps failing fast until gRPC's
  // reconnect backoff (grown while the orderer was down) runs out.
  void ConnectOrderers();

  // The chaincode definition of kChaincode through _lifecycle: endorsed by Org1's peer
  // only (ENDORSEMENT_POLICY_FAILURE) and by both peers (VALID).
  void DefineChaincode();
  // Application transactions, valid and one per bad case, in two rounds.
  void RunTransactions();
  // Kafka only: a transaction whose creator signature is broken, written straight to
  // the channel's partition (bypassing the orderers' Broadcast checks), and a valid
  // one broadcast after it; the peers mark the first BAD_CREATOR_SIGNATURE.
  void InjectThroughKafka(MockKafkaProcess& kafka);
  // Kills org `org`'s peer (SIGKILL), commits `count` valid transactions on the other
  // one, restarts it: it resumes from its height and commits them too.
  void RunWhilePeerKilled(int org, const std::string& prefix, int count);
  // `count` more valid transactions writing "more-<prefix>-<i>"; waits for both peers.
  void RunMoreValid(const std::string& prefix, int count);

  // Once both peers committed every sent transaction: they hold the same chained
  // blocks (header, data, TRANSACTIONS_FILTER, COMMIT_HASH), with the headers and data
  // of orderer `orderer`'s blocks.
  void CheckChainsAgree(int orderer);
  // Stops both peers and compares their ledgers opened through peer/ledger: equal
  // state of kChaincode, "nodefinition" and _lifecycle, equal commit hash, and the
  // state the valid transactions wrote.
  void StopPeersAndCompareLedgers();

  const std::vector<SentTx>& sent() const { return sent_; }

 private:
  struct Clients;

  // The envelope of a transaction invoking `chaincode` with `results`, built with the
  // client layer (proposal and transaction builders) and endorsed by `endorsers`.
  SentTx Endorsed(const std::string& label, const std::string& chaincode,
                  const std::string& version, const ::rwset::TxReadWriteSet& results,
                  const std::vector<const msp::SigningIdentity*>& endorsers,
                  const msp::SigningIdentity& creator, const std::string& events = "");
  // Broadcasts through the client layer's BroadcastClient (all orderer endpoints).
  void Submit(const SentTx& tx);
  // Every block of org `org`'s peer (through its Deliver service), and every
  // transaction in them with its code.
  [[nodiscard]] StatusOr<std::vector<::common::Block>> TryPeerBlocks(int org);
  std::vector<::common::Block> PeerBlocks(int org);
  std::vector<CommittedTx> Committed(int org);
  static std::vector<CommittedTx> CommittedIn(const std::vector<::common::Block>& blocks);
  // Waits until the running peers committed every sent transaction (as often as sent).
  void WaitForAll();
  // Submits `count` valid transactions writing "more-<prefix>-<i>".
  void SubmitMoreValid(const std::string& prefix, int count);
  // Checks each sent transaction's code on both peers (Deliver) and, for tx ids sent
  // once, the code qscc GetTransactionByID reports.
  void CheckCodes();

  PeerNetwork& network_;
  std::unique_ptr<msp::SigningIdentity> admins_[2];
  std::unique_ptr<msp::SigningIdentity> users_[2];
  std::unique_ptr<msp::SigningIdentity> peers_[2];
  std::unique_ptr<Clients> clients_;
  std::vector<SentTx> sent_;
  std::map<std::string, std::string> expected_state_;  // kChaincode's keys after all
};

}  // namespace weft::testing::peer_network
