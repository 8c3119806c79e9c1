// Block hashing and construction with Fabric's exact rules (fabric-interop.md A.2).
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/common.pb.h"
#include "common/status/status.h"

namespace weft::common::protoutil {

// Fabric's BlockMetadata always carries one slot per BlockMetadataIndex.
inline constexpr int kBlockMetadataSlots = 5;
// BlockMetadataIndex LAST_CONFIG: deprecated in the proto, but Fabric 2.5 orderers
// still write it and clients still read it, so Weft writes it too.
inline constexpr int kLastConfigMetadataIndex = 1;

// ASN.1 DER SEQUENCE{INTEGER number, OCTET STRING previous_hash,
// OCTET STRING data_hash}, the integer encoded like Go's big.Int.
std::string BlockHeaderBytes(const ::common::BlockHeader& header);
// SHA-256 of BlockHeaderBytes: the next block's previous_hash.
std::string BlockHeaderHash(const ::common::BlockHeader& header);
// SHA-256 over the concatenated data entries (a flat hash despite the proto's
// "MerkleTree" comment).
std::string BlockDataHash(const ::common::BlockData& data);

// A block with the given number and previous hash, empty data, no data hash
// yet, and kBlockMetadataSlots empty metadata entries.
::common::Block NewBlock(uint64_t number, std::string previous_hash);

// The bytes an orderer signs for BlockMetadataIndex SIGNATURES:
// metadata_value || signature_header || BlockHeaderBytes(header).
std::string BlockSignatureInput(std::string_view metadata_value, std::string_view signature_header,
                                const ::common::BlockHeader& header);

// A block's OrdererBlockMetadata, read as Fabric's GetLastConfigIndexFromBlock
// reads it: from SIGNATURES, else the deprecated LAST_CONFIG slot (orderers before
// 1.4.1); block 0 without either is its own config.
[[nodiscard]] StatusOr<::common::OrdererBlockMetadata> ReadOrdererBlockMetadata(
    const ::common::Block& block);

}  // namespace weft::common::protoutil
