// Organisation building blocks for channel configs minted at test time: Fabric's
// standard ImplicitMeta group policies, NodeOU organisations with the role-based
// policies of Fabric's sample configtx.yaml, and signers for test identities.
// Helpers throw std::runtime_error on failure so Catch2 reports the cause.
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <string>

#include "common/channelconfig/config_builder.h"
#include "msp/msp_config.h"
#include "msp/signing_identity.h"
#include "tests/support/test_crypto.h"

namespace weft::testing {

// Readers: ANY Readers, Writers: ANY Writers, Admins: MAJORITY Admins.
common::channelconfig::PolicySpecs StandardPolicies();

// An MSP named `msp_id` rooted at `ca`, with NodeOUs client, peer, admin, orderer.
msp::MspConfig NodeOuMsp(const std::string& msp_id, const TestIdentity& ca);

// An organisation with NodeOuMsp and role policies:
// Readers admin|peer|client|orderer, Writers admin|client|orderer, Admins admin,
// Endorsement peer. (Orderer nodes are Writers so that BlockValidation, ANY
// Writers, accepts the blocks they sign.)
common::channelconfig::OrganizationSpec NodeOuOrg(const std::string& msp_id,
                                                  const TestIdentity& ca);

// An Orderer section with one NodeOU organisation OrdererMSP rooted at
// `orderer_ca` (endpoint 127.0.0.1:7050), standard policies plus BlockValidation
// (ANY Writers), capability V2_0, solo, BatchSize {10, 1 MiB, 512 KiB}.
common::channelconfig::OrdererSpec StandardOrderer(const TestIdentity& orderer_ca,
                                                   const std::string& batch_timeout = "2s");

// The signing identity of `who` in MSP `msp_id`.
msp::SigningIdentity MakeSigner(const TestIdentity& who, const std::string& msp_id);

}  // namespace weft::testing
