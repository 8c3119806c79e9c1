'use strict';

// Fabric's block hashes written out in JavaScript over Node's SHA-256, to check blocks a
// Weft peer delivers (decoded by fabric-gateway with @hyperledger/fabric-protos):
// - header hash: SHA-256 of the ASN.1 DER SEQUENCE { INTEGER number, OCTET STRING
//   previous_hash, OCTET STRING data_hash } (Fabric protoutil/blockutils.go
//   BlockHeaderBytes / BlockHeaderHash, Go's encoding/asn1 with a big.Int number);
// - data hash: SHA-256 of the block's data entries concatenated (protoutil
//   ComputeBlockDataHash);
// - block N's previous_hash is block N-1's header hash; block 0's is empty.

const crypto = require('node:crypto');
const { common } = require('@hyperledger/fabric-protos');

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest();

function derLength(length) {
    if (length < 0x80) {
        return Buffer.from([length]);
    }
    const bytes = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
        bytes.unshift(rest % 256);
    }
    return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const derItem = (tag, content) => Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);

// A non-negative INTEGER: minimal big-endian bytes, a leading 0 when the top bit is set.
function derUnsigned(value) {
    let hex = BigInt(value).toString(16);
    if (hex.length % 2 === 1) {
        hex = `0${hex}`;
    }
    let bytes = Buffer.from(hex, 'hex');
    if (bytes[0] & 0x80) {
        bytes = Buffer.concat([Buffer.from([0]), bytes]);
    }
    return derItem(0x02, bytes);
}

function headerBytes(header) {
    return derItem(0x30, Buffer.concat([
        derUnsigned(header.getNumber()),
        derItem(0x04, Buffer.from(header.getPreviousHash_asU8())),
        derItem(0x04, Buffer.from(header.getDataHash_asU8())),
    ]));
}

const headerHash = (header) => sha256(headerBytes(header));

const dataHash = (block) => sha256(Buffer.concat(block.getData().getDataList_asU8().map((d) => Buffer.from(d))));

// What the blocks (in delivery order, from block 0) show; every flag must be true.
function verifyBlocks(blocks) {
    const out = {
        count: blocks.length,
        numbersFromZero: true,
        dataHashesMatch: true,
        previousHashesChain: true,
        firstIsConfig: false,
        metadataHasFiveEntries: true,
        filterLengthsMatch: true,
        envelopesDecode: true,
    };
    let previous = null;
    blocks.forEach((block, index) => {
        const header = block.getHeader();
        if (Number(header.getNumber()) !== index) {
            out.numbersFromZero = false;
        }
        if (!dataHash(block).equals(Buffer.from(header.getDataHash_asU8()))) {
            out.dataHashesMatch = false;
        }
        const expectedPrevious = previous === null ? Buffer.alloc(0) : headerHash(previous);
        if (!expectedPrevious.equals(Buffer.from(header.getPreviousHash_asU8()))) {
            out.previousHashesChain = false;
        }
        const metadata = block.getMetadata().getMetadataList_asU8();
        if (metadata.length !== 5) {
            out.metadataHasFiveEntries = false;
        }
        const entries = block.getData().getDataList_asU8();
        // TRANSACTIONS_FILTER: one validation code per transaction.
        if (metadata.length < 3 || metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER].length !== entries.length) {
            out.filterLengthsMatch = false;
        }
        for (const entry of entries) {
            try {
                const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(entry).getPayload_asU8());
                const channelHeader = common.ChannelHeader.deserializeBinary(payload.getHeader().getChannelHeader_asU8());
                if (index === 0 && channelHeader.getType() === common.HeaderType.CONFIG) {
                    out.firstIsConfig = true;
                }
            } catch (err) {
                out.envelopesDecode = false;
            }
        }
        previous = header;
    });
    return out;
}

module.exports = { verifyBlocks, headerBytes, headerHash, dataHash, derUnsigned };
