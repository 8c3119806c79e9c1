// A Fabric X.509 membership service provider: decides which certificates are
// members of an organisation and which roles they hold.
// Thread-safety: immutable after Create; safe for concurrent use.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/crypto/x509.h"
#include "common/status/status.h"
#include "msp/ecdsa_counter.h"
#include "msp/identities.pb.h"
#include "msp/identity.h"
#include "msp/msp_config.h"
#include "msp/msp_principal.pb.h"

namespace weft::msp {

// The roles NodeOUs (or admincerts) can give an identity.
enum class Role { kClient, kPeer, kAdmin, kOrderer };
std::string_view RoleName(Role role);

class Msp : public std::enable_shared_from_this<Msp> {
 public:
  // Checks the configuration as Fabric does at MSP setup: at least one root CA,
  // intermediates chaining to the roots, CRLs signed by one of the CAs, NodeOU
  // certificates among the CAs, admin certificates valid members. Like every chain
  // check of the MSP, certificates are judged at their own NotBefore + 1 s (Fabric's
  // getValidityOptsForCert), so an expired admin or intermediate does not stop a
  // channel config from loading.
  // Every Identity::Verify of its identities counts in `ecdsa_counter` (null: not
  // counted).
  [[nodiscard]] static StatusOr<std::shared_ptr<const Msp>> Create(
      MspConfig config, std::shared_ptr<EcdsaCounter> ecdsa_counter = nullptr);

  const std::string& id() const { return config_.name; }
  const MspConfig& config() const { return config_; }

  // Parses the PEM certificate of a SerializedIdentity whose mspid is this MSP.
  // Does not validate (see Identity::Validate), as Fabric's deserializer.
  [[nodiscard]] StatusOr<std::shared_ptr<const Identity>> DeserializeIdentity(
      const ::msp::SerializedIdentity& serialized, std::string serialized_bytes) const;

  // Whether a validated identity holds `role`. With NodeOUs disabled only admin
  // (through admincerts) can hold; asking for client/peer/orderer is then an error.
  [[nodiscard]] Status HasRole(const Identity& identity, Role role) const;

 private:
  friend class Identity;
  Msp(MspConfig config, std::shared_ptr<EcdsaCounter> ecdsa_counter);
  [[nodiscard]] Status ValidateChain(const Identity& identity,
                                     std::vector<common::crypto::Certificate>* chain) const;
  [[nodiscard]] Status ValidateOus(const Identity& identity,
                                   const std::vector<common::crypto::Certificate>& chain) const;
  bool HasOu(const Identity& identity, const OuIdentifier& ou,
             const std::vector<common::crypto::Certificate>& chain) const;
  [[nodiscard]] Status SatisfiesPrincipal(const Identity& identity,
                                          const ::common::MSPPrincipal& principal) const;

  MspConfig config_;
  const std::shared_ptr<EcdsaCounter> ecdsa_counter_;
};

}  // namespace weft::msp
