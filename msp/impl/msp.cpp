#include "msp/msp.h"

#include <algorithm>

#include "common/crypto/hash.h"
#include "fmt/format.h"

namespace weft::msp {

namespace crypto = common::crypto;

namespace {

bool Contains(const std::vector<crypto::Certificate>& certificates,
              const crypto::Certificate& certificate) {
  return std::find(certificates.begin(), certificates.end(), certificate) != certificates.end();
}

// Fabric's certifiers identifier: SHA-256 over the DER of every CA in the chain.
std::string CertificationChainId(const std::vector<crypto::Certificate>& chain) {
  crypto::Sha256Hasher hasher;
  for (size_t i = 1; i < chain.size(); ++i) hasher.Update(chain[i].der());
  return hasher.Finish();
}

// Fabric's getValidityOptsForCert (msp/mspimplvalidate.go): a chain is verified at
// the certificate's own NotBefore + 1 s, never at the wall clock, so every member
// of a channel reaches the same verdict whenever it looks. Expiry is judged
// elsewhere (the orderer's expiration filter and Deliver, through
// protoutil::IdentityExpiresAt, as Fabric's crypto.ExpiresAt).
crypto::ChainVerifyOptions ValidityOptionsFor(const crypto::Certificate& certificate) {
  crypto::ChainVerifyOptions options;
  options.at = certificate.not_before() + std::chrono::seconds(1);
  return options;
}

std::string OuList(const crypto::Certificate& certificate) {
  return fmt::format("[{}]", fmt::join(certificate.subject_organizational_units(), ", "));
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kClient:
      return "client";
    case Role::kPeer:
      return "peer";
    case Role::kAdmin:
      return "admin";
    case Role::kOrderer:
      return "orderer";
  }
  return "unknown";
}

Msp::Msp(MspConfig config, std::shared_ptr<EcdsaCounter> ecdsa_counter)
    : config_(std::move(config)), ecdsa_counter_(std::move(ecdsa_counter)) {}

StatusOr<std::shared_ptr<const Msp>> Msp::Create(MspConfig config,
                                                 std::shared_ptr<EcdsaCounter> ecdsa_counter) {
  const std::string& name = config.name;
  if (name.empty()) return absl::InvalidArgumentError("MSP configuration has no name (MSP ID)");
  if (config.root_certs.empty()) {
    return absl::InvalidArgumentError(fmt::format("MSP {}: no root CA certificate", name));
  }
  for (const auto& root : config.root_certs) {
    if (!root.is_ca()) {
      return absl::InvalidArgumentError(
          fmt::format("MSP {}: root certificate {} is not a CA", name, root.subject()));
    }
  }
  for (const auto& intermediate : config.intermediate_certs) {
    if (!intermediate.is_ca()) {
      return absl::InvalidArgumentError(fmt::format(
          "MSP {}: intermediate certificate {} is not a CA", name, intermediate.subject()));
    }
    auto chain = crypto::VerifyChain(intermediate, config.root_certs, config.intermediate_certs,
                                     ValidityOptionsFor(intermediate));
    if (!chain.ok()) {
      return Annotate(chain.status(), fmt::format("MSP {}: intermediate certificate {}", name,
                                                  intermediate.subject()));
    }
  }
  for (const auto& crl : config.crls) {
    bool verified = false;
    for (const auto* cas : {&config.root_certs, &config.intermediate_certs}) {
      for (const auto& ca : *cas) {
        if (ca.subject() == crl.issuer() && crl.VerifySignature(ca).ok()) verified = true;
      }
    }
    if (!verified) {
      return absl::InvalidArgumentError(fmt::format(
          "MSP {}: CRL issued by {} is not signed by any of its CAs", name, crl.issuer()));
    }
  }
  auto check_ou = [&](const OuIdentifier& ou, std::string_view what) -> Status {
    if (ou.certificate && !Contains(config.root_certs, *ou.certificate) &&
        !Contains(config.intermediate_certs, *ou.certificate)) {
      return absl::InvalidArgumentError(
          fmt::format("MSP {}: the certificate of {} OU {} is not one of its CAs", name, what,
                      ou.organizational_unit));
    }
    return absl::OkStatus();
  };
  for (const auto& ou : config.ou_identifiers) WEFT_RETURN_IF_ERROR(check_ou(ou, "identifier"));
  if (config.node_ous.enable) {
    WEFT_RETURN_IF_ERROR(check_ou(config.node_ous.client, "client"));
    WEFT_RETURN_IF_ERROR(check_ou(config.node_ous.peer, "peer"));
    WEFT_RETURN_IF_ERROR(check_ou(config.node_ous.admin, "admin"));
    WEFT_RETURN_IF_ERROR(check_ou(config.node_ous.orderer, "orderer"));
  }
  for (const auto& admin : config.admin_certs) {
    auto chain = crypto::VerifyChain(admin, config.root_certs, config.intermediate_certs,
                                     ValidityOptionsFor(admin));
    if (!chain.ok()) {
      return Annotate(chain.status(),
                      fmt::format("MSP {}: admin certificate {}", name, admin.subject()));
    }
  }
  return std::shared_ptr<const Msp>(new Msp(std::move(config), std::move(ecdsa_counter)));
}

StatusOr<std::shared_ptr<const Identity>> Msp::DeserializeIdentity(
    const ::msp::SerializedIdentity& serialized, std::string serialized_bytes) const {
  if (serialized.mspid() != id()) {
    return absl::InvalidArgumentError(fmt::format(
        "identity of MSP {} cannot be deserialized by MSP {}", serialized.mspid(), id()));
  }
  auto certificate = crypto::Certificate::FromPem(serialized.id_bytes());
  if (!certificate.ok()) {
    return Annotate(certificate.status(),
                    fmt::format("MSP {}: identity is not a PEM X.509 certificate", id()));
  }
  auto public_key = certificate->public_key();
  if (!public_key.ok()) {
    return Annotate(public_key.status(),
                    fmt::format("MSP {}: identity {}", id(), certificate->subject()));
  }
  return std::make_shared<const Identity>(shared_from_this(), *std::move(certificate),
                                          *std::move(public_key), std::move(serialized_bytes));
}

Status Msp::ValidateChain(const Identity& identity, std::vector<crypto::Certificate>* chain) const {
  const auto& certificate = identity.certificate();
  if (certificate.is_ca()) {
    return absl::PermissionDeniedError(
        fmt::format("MSP {}: identity {} is a CA certificate, which cannot be used as an identity",
                    id(), certificate.subject()));
  }
  crypto::ChainVerifyOptions options = ValidityOptionsFor(certificate);
  options.crls = config_.crls;
  auto verified =
      crypto::VerifyChain(certificate, config_.root_certs, config_.intermediate_certs, options);
  if (!verified.ok()) {
    return absl::PermissionDeniedError(fmt::format("MSP {}: identity {} is not valid: {}", id(),
                                                   certificate.subject(),
                                                   std::string(verified.status().message())));
  }
  *chain = *std::move(verified);
  return absl::OkStatus();
}

bool Msp::HasOu(const Identity& identity, const OuIdentifier& ou,
                const std::vector<crypto::Certificate>& chain) const {
  if (ou.organizational_unit.empty()) return false;
  const auto& ous = identity.certificate().subject_organizational_units();
  if (std::find(ous.begin(), ous.end(), ou.organizational_unit) == ous.end()) return false;
  if (!ou.certificate) return true;
  return std::find(chain.begin() + (chain.empty() ? 0 : 1), chain.end(), *ou.certificate) !=
         chain.end();
}

Status Msp::ValidateOus(const Identity& identity,
                        const std::vector<crypto::Certificate>& chain) const {
  const auto& certificate = identity.certificate();
  if (!config_.ou_identifiers.empty()) {
    bool found = std::any_of(config_.ou_identifiers.begin(), config_.ou_identifiers.end(),
                             [&](const OuIdentifier& ou) { return HasOu(identity, ou, chain); });
    if (!found) {
      return absl::PermissionDeniedError(fmt::format(
          "MSP {}: identity {} carries none of the MSP's organizational units (its OUs: {})", id(),
          certificate.subject(), OuList(certificate)));
    }
  }
  if (!config_.node_ous.enable) return absl::OkStatus();
  const auto& node_ous = config_.node_ous;
  int matches = 0;
  for (const auto* ou : {&node_ous.client, &node_ous.peer, &node_ous.admin, &node_ous.orderer}) {
    if (HasOu(identity, *ou, chain)) ++matches;
  }
  if (matches == 0) {
    return absl::PermissionDeniedError(fmt::format(
        "MSP {}: identity {} has none of the NodeOUs client, peer, admin or orderer (its OUs: {})",
        id(), certificate.subject(), OuList(certificate)));
  }
  if (matches > 1) {
    return absl::PermissionDeniedError(fmt::format(
        "MSP {}: identity {} must be exactly one of client, peer, admin or orderer (its OUs: {})",
        id(), certificate.subject(), OuList(certificate)));
  }
  return absl::OkStatus();
}

Status Msp::HasRole(const Identity& identity, Role role) const {
  const auto& certificate = identity.certificate();
  auto chain = identity.chain();
  if (role == Role::kAdmin) {
    if (Contains(config_.admin_certs, certificate)) return absl::OkStatus();
    if (config_.node_ous.enable && HasOu(identity, config_.node_ous.admin, chain)) {
      return absl::OkStatus();
    }
    return absl::PermissionDeniedError(
        fmt::format("MSP {}: identity {} is not an admin", id(), certificate.subject()));
  }
  if (!config_.node_ous.enable) {
    return absl::FailedPreconditionError(fmt::format(
        "MSP {}: NodeOUs are not enabled, so a {} cannot be told apart from other members", id(),
        RoleName(role)));
  }
  const OuIdentifier& ou = role == Role::kClient ? config_.node_ous.client
                           : role == Role::kPeer ? config_.node_ous.peer
                                                 : config_.node_ous.orderer;
  if (HasOu(identity, ou, chain)) return absl::OkStatus();
  return absl::PermissionDeniedError(fmt::format("MSP {}: identity {} is not a {} (its OUs: {})",
                                                 id(), certificate.subject(), RoleName(role),
                                                 OuList(certificate)));
}

Status Msp::SatisfiesPrincipal(const Identity& identity,
                               const ::common::MSPPrincipal& principal) const {
  auto check_msp = [&](const std::string& wanted) -> Status {
    if (wanted == id()) return absl::OkStatus();
    return absl::PermissionDeniedError(
        fmt::format("identity {} is of MSP {}, the principal requires MSP {}",
                    identity.certificate().subject(), id(), wanted));
  };
  switch (principal.principal_classification()) {
    case ::common::MSPPrincipal::ROLE: {
      ::common::MSPRole role;
      if (!role.ParseFromString(principal.principal())) {
        return absl::InvalidArgumentError("ROLE principal does not hold an MSPRole");
      }
      WEFT_RETURN_IF_ERROR(check_msp(role.msp_identifier()));
      WEFT_RETURN_IF_ERROR(identity.Validate());
      switch (role.role()) {
        case ::common::MSPRole::MEMBER:
          return absl::OkStatus();
        case ::common::MSPRole::ADMIN:
          return HasRole(identity, Role::kAdmin);
        case ::common::MSPRole::CLIENT:
          return HasRole(identity, Role::kClient);
        case ::common::MSPRole::PEER:
          return HasRole(identity, Role::kPeer);
        case ::common::MSPRole::ORDERER:
          return HasRole(identity, Role::kOrderer);
        default:
          return absl::InvalidArgumentError(
              fmt::format("unknown MSP role {}", static_cast<int>(role.role())));
      }
    }
    case ::common::MSPPrincipal::ORGANIZATION_UNIT: {
      ::common::OrganizationUnit unit;
      if (!unit.ParseFromString(principal.principal())) {
        return absl::InvalidArgumentError(
            "ORGANIZATION_UNIT principal does not hold an OrganizationUnit");
      }
      WEFT_RETURN_IF_ERROR(check_msp(unit.msp_identifier()));
      WEFT_RETURN_IF_ERROR(identity.Validate());
      auto chain = identity.chain();
      OuIdentifier ou{std::nullopt, unit.organizational_unit_identifier()};
      if (!HasOu(identity, ou, chain)) {
        return absl::PermissionDeniedError(fmt::format(
            "identity {} does not carry OU {} (its OUs: {})", identity.certificate().subject(),
            unit.organizational_unit_identifier(), OuList(identity.certificate())));
      }
      if (!unit.certifiers_identifier().empty() &&
          unit.certifiers_identifier() != CertificationChainId(chain)) {
        return absl::PermissionDeniedError(
            fmt::format("identity {} carries OU {} but from other certifiers",
                        identity.certificate().subject(), unit.organizational_unit_identifier()));
      }
      return absl::OkStatus();
    }
    case ::common::MSPPrincipal::IDENTITY: {
      ::msp::SerializedIdentity wanted;
      if (!wanted.ParseFromString(principal.principal())) {
        return absl::InvalidArgumentError("IDENTITY principal does not hold a SerializedIdentity");
      }
      WEFT_RETURN_IF_ERROR(check_msp(wanted.mspid()));
      auto certificate = crypto::Certificate::FromPem(wanted.id_bytes());
      if (!certificate.ok() || !(*certificate == identity.certificate())) {
        return absl::PermissionDeniedError(
            fmt::format("identity {} is not the identity the principal names",
                        identity.certificate().subject()));
      }
      return identity.Validate();
    }
    default:
      return absl::UnimplementedError(fmt::format(
          "principal classification {} is not supported",
          ::common::MSPPrincipal::Classification_Name(principal.principal_classification())));
  }
}

Identity::Identity(std::shared_ptr<const Msp> msp, crypto::Certificate certificate,
                   crypto::PublicKey public_key, std::string serialized)
    : msp_(std::move(msp)),
      certificate_(std::move(certificate)),
      public_key_(std::move(public_key)),
      serialized_(std::move(serialized)),
      unique_id_(fmt::format("{}:{}", msp_->id(), crypto::HexEncode(certificate_.fingerprint()))) {}

const std::string& Identity::MspId() const { return msp_->id(); }

Status Identity::Validate() const {
  std::vector<crypto::Certificate> chain;
  {
    std::lock_guard lock(mutex_);
    if (!chain_checked_) {
      // The verdict does not depend on the time of the call (see ValidityOptionsFor),
      // so a verified chain stays verified.
      chain_.clear();
      WEFT_RETURN_IF_ERROR(msp_->ValidateChain(*this, &chain_));
      chain_checked_ = true;
    }
    chain = chain_;
  }
  return msp_->ValidateOus(*this, chain);
}

std::vector<crypto::Certificate> Identity::chain() const {
  std::lock_guard lock(mutex_);
  return chain_;
}

Status Identity::SatisfiesPrincipal(const ::common::MSPPrincipal& principal) const {
  return msp_->SatisfiesPrincipal(*this, principal);
}

Status Identity::Verify(std::string_view message, std::string_view signature) const {
  if (msp_->ecdsa_counter_ != nullptr) msp_->ecdsa_counter_->CountVerify();
  Status status = public_key_.Verify(message, signature);
  if (status.ok()) return status;
  return Annotate(status,
                  fmt::format("signature by {} of MSP {}", certificate_.subject(), msp_->id()));
}

}  // namespace weft::msp
