// qscc, the ledger query system chaincode, as Fabric's core/scc/qscc/query.go
// (release-2.5). Arguments are Fabric's: [function, channel id, argument], all bytes.
//   GetChainInfo                      -> common.BlockchainInfo
//   GetBlockByNumber  <decimal>       -> common.Block
//   GetBlockByHash    <raw hash>      -> common.Block
//   GetTransactionByID <tx id>        -> protos.ProcessedTransaction
//   GetBlockByTxID    <tx id>         -> common.Block
// Results are the serialized messages in Response.payload with status 200; every
// failure is status 500 with Fabric's message (shim.Error). Before running a function
// the invocation is checked in Fabric's order: at least two arguments, the proposal
// names qscc (calls from another chaincode are refused), a third argument for every
// function but GetChainInfo, a joined channel, then the ACL of resource
// "qscc/<function>" (default /Channel/Application/Readers) on the signed proposal; an
// unknown function fails that ACL as unmapped, unless the channel's ACLs name it.
//
// Thread-safety: LedgerQuerier is thread-safe when its LedgerGetter and AclProvider are.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "peer/aclmgmt/acl_provider.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace weft::peer::scc::qscc {

inline constexpr char kName[] = "qscc";
inline constexpr char kGetChainInfo[] = "GetChainInfo";
inline constexpr char kGetBlockByNumber[] = "GetBlockByNumber";
inline constexpr char kGetBlockByHash[] = "GetBlockByHash";
inline constexpr char kGetTransactionById[] = "GetTransactionByID";
inline constexpr char kGetBlockByTxId[] = "GetBlockByTxID";

// The ACL resource a function is checked against: "qscc/<function>" (Fabric's
// getACLResource).
std::string AclResource(std::string_view function);

// Channel id -> the peer's ledger of it.
class LedgerGetter {
 public:
  virtual ~LedgerGetter() = default;
  // nullptr when the peer has not joined `channel_id`.
  virtual std::shared_ptr<const ledger::PeerLedger> GetLedger(
      std::string_view channel_id) const = 0;
};

class LedgerQuerier {
 public:
  // Both must outlive this object.
  LedgerQuerier(const aclmgmt::AclProvider& acl, const LedgerGetter& ledgers);

  // Fabric's Init: nothing to set up.
  ::protos::Response Init() const;
  // Runs one invocation; `args` are ChaincodeInput.args, `signed_proposal` the
  // proposal that invoked qscc.
  ::protos::Response Invoke(const std::vector<std::string>& args,
                            const ::protos::SignedProposal& signed_proposal) const;

 private:
  const aclmgmt::AclProvider& acl_;
  const LedgerGetter& ledgers_;
};

}  // namespace weft::peer::scc::qscc
