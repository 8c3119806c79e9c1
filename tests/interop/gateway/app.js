'use strict';

// A Fabric client application written against the published @hyperledger/fabric-gateway
// and @grpc/grpc-js packages, unmodified, the way fabric-samples'
// asset-transfer-basic/application-gateway-typescript connects: TLS to one peer's
// Gateway, a cryptogen user's certificate and key. It runs one scenario against the
// asset-transfer-basic contract (C++ or Node) and prints one JSON object with what
// each step returned; the interop tests (tests/interop/matrix) compare that object with
// Fabric's expectations, and the C++ client produces the same object.
//
// Environment (fabric-samples' names): CHANNEL_NAME, CHAINCODE_NAME, MSP_ID,
// CRYPTO_PATH (the org folder of cryptogen's output), PEER_ENDPOINT, PEER_HOST_ALIAS,
// USER_NAME (default User1). On an unexpected failure it prints
// {"error": {name, message, code, details, transactionId}} and exits with 1.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const { connect, checkpointers, signers, GatewayError, CommitError } = require('@hyperledger/fabric-gateway');
const { verifyBlocks } = require('./blocks');

const env = (name, fallback) => {
    const value = process.env[name] ?? fallback;
    if (value === undefined) {
        throw new Error(`environment variable ${name} is not set`);
    }
    return value;
};

const channelName = env('CHANNEL_NAME', 'mychannel');
const chaincodeName = env('CHAINCODE_NAME', 'basic');
const mspId = env('MSP_ID', 'Org1MSP');
const cryptoPath = env('CRYPTO_PATH');
const peerEndpoint = env('PEER_ENDPOINT', 'localhost:7051');
const peerHostAlias = env('PEER_HOST_ALIAS', 'peer0.org1.example.com');
const user = env('USER_NAME', 'User1');
const domain = path.basename(cryptoPath);  // org1.example.com

const utf8 = new TextDecoder();
const text = (bytes) => utf8.decode(bytes);

function firstFile(dir) {
    const files = fs.readdirSync(dir);
    if (files.length === 0) {
        throw new Error(`no file in ${dir}`);
    }
    return fs.readFileSync(path.join(dir, files[0]));
}

function newGrpcClient() {
    const tlsRootCert = fs.readFileSync(path.join(cryptoPath, 'peers', `peer0.${domain}`, 'tls', 'ca.crt'));
    const credentials = grpc.credentials.createSsl(tlsRootCert);
    return new grpc.Client(peerEndpoint, credentials, { 'grpc.ssl_target_name_override': peerHostAlias });
}

function newGateway(client) {
    const msp = path.join(cryptoPath, 'users', `${user}@${domain}`, 'msp');
    const identity = { mspId, credentials: firstFile(path.join(msp, 'signcerts')) };
    const signer = signers.newPrivateKeySigner(crypto.createPrivateKey(firstFile(path.join(msp, 'keystore'))));
    const seconds = (n) => () => ({ deadline: Date.now() + n * 1000 });
    // Generous deadlines: the first call may build and start the chaincode.
    return connect({
        client,
        identity,
        signer,
        evaluateOptions: seconds(120),
        endorseOptions: seconds(180),
        submitOptions: seconds(30),
        commitStatusOptions: seconds(120),
    });
}

// What an error carries, as fabric-gateway reports it: the gRPC status code, message
// and the gateway's ErrorDetail entries; CommitError carries a TxValidationCode.
function describeError(err) {
    const out = { name: err?.constructor?.name ?? 'Error', message: String(err?.message ?? err) };
    if (err instanceof GatewayError) {
        out.code = err.code;
        out.grpcStatus = grpc.status[err.code];
        out.details = err.details.map((d) => ({ address: d.address, mspId: d.mspId, message: d.message }));
    }
    if (err instanceof CommitError) {
        out.code = err.code;
    }
    if (err?.transactionId !== undefined) {
        out.transactionId = err.transactionId;
    }
    return out;
}

async function expectFailure(step) {
    try {
        await step();
    } catch (err) {
        return describeError(err);
    }
    throw new Error('the call succeeded but was expected to fail');
}

function status(s) {
    return { code: s.code, successful: s.successful, blockNumber: Number(s.blockNumber) };
}

function event(e) {
    return { blockNumber: Number(e.blockNumber), transactionId: e.transactionId, chaincodeName: e.chaincodeName,
        eventName: e.eventName, payload: text(e.payload) };
}

// The next `count` items of a stream opened by `open`, then closed.
async function take(open, count, map) {
    const stream = await open();
    const items = [];
    try {
        for await (const item of stream) {
            items.push(map(item));
            if (items.length === count) {
                break;
            }
        }
    } finally {
        stream.close();
    }
    return items;
}

async function scenario(gateway) {
    const network = gateway.getNetwork(channelName);
    const contract = network.getContract(chaincodeName);
    const r = {};

    // submitTransaction / evaluateTransaction
    r.initLedger = text(await contract.submitTransaction('InitLedger'));
    r.createAsset = text(await contract.submitTransaction('CreateAsset', 'asset7', 'purple', '20', 'Weft', '900'));
    r.readAsset = text(await contract.evaluateTransaction('ReadAsset', 'asset7'));
    r.assetExists = text(await contract.evaluateTransaction('AssetExists', 'asset7'));

    // submitAsync + getStatus: the result comes from the endorsement, before the commit.
    const transfer = await contract.submitAsync('TransferAsset', { arguments: ['asset7', 'Fabric'] });
    r.transferResult = text(transfer.getResult());
    const transferStatus = await transfer.getStatus();
    r.transferStatus = status(transferStatus);
    r.transferTxIdMatches = transferStatus.transactionId === transfer.getTransactionId();
    const firstEventBlock = transferStatus.blockNumber;

    // newProposal -> endorse -> submit, each step its own call
    const proposal = contract.newProposal('TransferAsset', { arguments: ['asset7', 'Ana'] });
    const transaction = await proposal.endorse();
    r.proposalResult = text(transaction.getResult());
    const submitted = await transaction.submit();
    const proposalStatus = await submitted.getStatus();
    r.proposalStatus = status(proposalStatus);
    r.proposalTxIdMatches = proposal.getTransactionId() === transaction.getTransactionId() &&
        transaction.getTransactionId() === proposalStatus.transactionId;

    // Transient data, with the endorsing organizations named as an application that
    // protects transient data does (Fabric's gateway, api.go Endorse, otherwise starts
    // in its own org and refuses orgs outside a private data collection's policy);
    // evaluating it uses the local org.
    const transient = { secret: Buffer.from('not in the ledger') };
    const withTransient = await contract.submitAsync('CreateAsset', {
        arguments: ['asset8', 'green', '3', 'Transient', '30'],
        transientData: transient,
        endorsingOrganizations: ['Org1MSP', 'Org2MSP'],
    });
    r.transientStatus = status(await withTransient.getStatus());
    r.transientEvaluate = text(await contract.evaluate('AssetExists', { arguments: ['asset8'], transientData: transient }));

    // A chaincode error: evaluate (UNKNOWN) and endorse (ABORTED), both with details
    // (internal/pkg/gateway/api.go Evaluate and Endorse).
    r.evaluateError = await expectFailure(() => contract.evaluateTransaction('ReadAsset', 'asset404'));
    r.endorseError = await expectFailure(() => contract.submitTransaction('DeleteAsset', 'asset404'));

    // Endorsement policy failure: one org of two under MAJORITY Endorsement.
    const oneOrg = await contract.submitAsync('CreateAsset', {
        arguments: ['asset9', 'grey', '1', 'Nobody', '1'],
        endorsingOrganizations: ['Org1MSP'],
    });
    r.policyStatus = status(await oneOrg.getStatus());
    r.policyCommitError = await expectFailure(() => contract.submit('CreateAsset', {
        arguments: ['asset9', 'grey', '1', 'Nobody', '1'],
        endorsingOrganizations: ['Org1MSP'],
    }));
    r.asset9Exists = text(await contract.evaluateTransaction('AssetExists', 'asset9'));

    // MVCC conflict: two transfers of one asset endorsed against the same version; the
    // one ordered second fails validation with MVCC_READ_CONFLICT.
    const first = await contract.newProposal('TransferAsset', { arguments: ['asset1', 'First'] }).endorse();
    const second = await contract.newProposal('TransferAsset', { arguments: ['asset1', 'Second'] }).endorse();
    const firstCommit = await first.submit();
    r.mvccFirstStatus = status(await firstCommit.getStatus());
    const secondCommit = await second.submit();
    const secondStatus = await secondCommit.getStatus();
    r.mvccSecondStatus = status(secondStatus);
    r.mvccOwner = JSON.parse(text(await contract.evaluateTransaction('ReadAsset', 'asset1'))).Owner;

    // Chaincode events replayed from a start block: only VALID transactions' events
    // (the MVCC loser's event is not delivered).
    const replayed = await take(() => network.getChaincodeEvents(chaincodeName, { startBlock: firstEventBlock }), 3, event);
    r.replayedEvents = replayed.map((e) => ({ eventName: e.eventName, payload: e.payload }));
    r.replayedTxIds = [
        replayed[0].transactionId === transfer.getTransactionId(),
        replayed[1].transactionId === transaction.getTransactionId(),
        replayed[2].transactionId === first.getTransactionId(),
    ];

    // With a checkpointer: after checkpointing the first event, a new stream resumes
    // with the second (ChaincodeEventsRequest.after_transaction_id).
    const checkpointer = checkpointers.inMemory();
    const [afterCheckpoint] = await take(
        () => network.getChaincodeEvents(chaincodeName, { startBlock: firstEventBlock, checkpoint: checkpointer }), 1,
        (e) => e);
    await checkpointer.checkpointChaincodeEvent(afterCheckpoint);
    const resumed = await take(
        () => network.getChaincodeEvents(chaincodeName, { startBlock: 0n, checkpoint: checkpointer }), 1, event);
    r.checkpointResumedWithSecond = resumed[0].transactionId === transaction.getTransactionId();

    // Live: a stream from the next commit sees a transfer submitted after it opened.
    const live = await network.getChaincodeEvents(chaincodeName);
    const liveTransfer = await contract.submitAsync('TransferAsset', { arguments: ['asset2', 'Live'] });
    const liveStatus = await liveTransfer.getStatus();
    let liveEvent;
    try {
        for await (const e of live) {
            liveEvent = event(e);
            break;
        }
    } finally {
        live.close();
    }
    r.liveEvent = { eventName: liveEvent.eventName, payload: liveEvent.payload };
    r.liveEventMatches = liveEvent.transactionId === liveTransfer.getTransactionId() &&
        liveEvent.blockNumber === Number(liveStatus.blockNumber);

    // Filtered blocks: the MVCC pair's validation codes as the Deliver service reports them.
    const filtered = await take(() => network.getFilteredBlockEvents({ startBlock: r.mvccFirstStatus.blockNumber }),
        r.mvccSecondStatus.blockNumber - r.mvccFirstStatus.blockNumber + 1, (b) => b);
    const codes = {};
    for (const block of filtered) {
        for (const tx of block.getFilteredTransactionsList()) {
            codes[tx.getTxid()] = tx.getTxValidationCode();
        }
        r.filteredChannel = block.getChannelId();
    }
    r.filteredCodes = [codes[first.getTransactionId()], codes[second.getTransactionId()]];

    // Blocks from 0 to the live transfer's: decoded with Fabric's protos, hashes recomputed.
    const last = Number(liveStatus.blockNumber);
    const blocks = await take(() => network.getBlockEvents({ startBlock: 0n }), last + 1, (b) => b);
    r.blocks = verifyBlocks(blocks);
    r.blocks.lastIsLiveBlock = r.blocks.count === last + 1;

    r.finalAsset7 = text(await contract.evaluateTransaction('ReadAsset', 'asset7'));
    r.finalAsset8 = text(await contract.evaluateTransaction('ReadAsset', 'asset8'));
    r.allAssets = text(await contract.evaluateTransaction('GetAllAssets'));
    return r;
}

async function main() {
    const client = newGrpcClient();
    const gateway = newGateway(client);
    try {
        const result = await scenario(gateway);
        process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    } finally {
        gateway.close();
        client.close();
    }
}

main().catch((err) => {
    process.stdout.write(`${JSON.stringify({ error: describeError(err) }, null, 1)}\n`);
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exitCode = 1;
});
