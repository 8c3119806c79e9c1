#include "tools/cryptogen/crypto_config.h"

namespace weft::tools::cryptogen {

std::string_view SampleCryptoConfig() {
  return R"(# crypto-config.yaml: the organisations cryptogen creates keys and
# certificates for. `cryptogen generate --config <this file>` writes them under
# ordererOrganizations/ and peerOrganizations/ of the output folder.

# ---------------------------------------------------------------------------
# OrdererOrgs: organisations that run ordering nodes.
# ---------------------------------------------------------------------------
OrdererOrgs:
  - Name: Orderer
    # Domain names the organisation: its CAs are ca.<Domain> and
    # tlsca.<Domain>, its folder is ordererOrganizations/<Domain>.
    Domain: example.com
    # With NodeOUs every signing certificate carries the OU of its role
    # (client, peer, admin or orderer) and each MSP folder gets a config.yaml
    # that maps those OUs to roles. Without them, admins are listed in
    # admincerts/ instead.
    EnableNodeOUs: true
    # Specs lists nodes one by one. Each needs a Hostname; the CommonName
    # (and folder name) defaults to "{{.Hostname}}.{{.Domain}}". SANS adds
    # subject alternative names to the node's TLS certificate, next to the
    # common name, the host name, localhost and 127.0.0.1; entries may use
    # {{.Hostname}}, {{.Domain}} and {{.CommonName}}.
    Specs:
      - Hostname: orderer
        SANS:
          - localhost

# ---------------------------------------------------------------------------
# PeerOrgs: organisations that run peers and have client users.
# ---------------------------------------------------------------------------
PeerOrgs:
  - Name: Org1
    Domain: org1.example.com
    EnableNodeOUs: true

    # CA overrides the subject of the organisation's CAs. Hostname defaults
    # to "ca"; Country, Province and Locality default to US, California and
    # San Francisco, and every certificate the CA issues repeats them.
    # CA:
    #   Hostname: ca
    #   Country: US
    #   Province: California
    #   Locality: San Francisco
    #   OrganizationalUnit: Hyperledger Fabric
    #   StreetAddress: address for org
    #   PostalCode: postalCode for org

    # Template creates Count nodes named from a Go-style template. The
    # default name is "{{.Prefix}}{{.Index}}" (peer0, peer1, ...) where the
    # prefix is "peer" in peer organisations and "orderer" in orderer ones,
    # and Index counts up from Start (default 0). Specs and Template can be
    # combined as long as no host name repeats.
    Template:
      Count: 1
      # Start: 5
      # Hostname: {{.Prefix}}{{.Index}}
      # SANS:
      #   - "{{.Hostname}}.alt.{{.Domain}}"

    # Users is the number of ordinary users (User1, User2, ...) to create
    # besides the organisation's Admin.
    Users:
      Count: 1

  - Name: Org2
    Domain: org2.example.com
    EnableNodeOUs: false
    Template:
      Count: 1
    Users:
      Count: 1
)";
}

}  // namespace weft::tools::cryptogen
