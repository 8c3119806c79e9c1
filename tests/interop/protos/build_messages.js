'use strict';
// Builds Fabric messages with @hyperledger/fabric-protos (the JS bindings the
// Fabric Node SDKs use) and prints {"<message name>": "<hex of serialized bytes>"}.
// weft_proto_interop_tests builds the same values in C++ and compares bytes,
// so every value below has a twin in node_wire_interop_test.cpp.

const { common, msp, peer, orderer, gateway, ledger } = require('@hyperledger/fabric-protos');
const { Timestamp } = require('google-protobuf/google/protobuf/timestamp_pb');

const kvrwset = ledger.rwset.kvrwset;
const rwset = ledger.rwset;

// Exactly representable as JS numbers yet far beyond 2^53: they need all ten varint bytes.
const BIG = 9223372036854777856; // 2^63 + 2^11
const HUGE = 18446744073709549568; // 2^64 - 2^11

// Deterministic, non-trivial byte strings: byte i is (seed + 31 * i) mod 256.
function pattern(length, seed) {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed + 31 * i) & 0xff;
  return bytes;
}

const utf8 = (text) => new Uint8Array(Buffer.from(text, 'utf8'));
const TX_ID = Buffer.from(pattern(32, 1)).toString('hex');
const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBWeft\n-----END CERTIFICATE-----\n';

function timestamp() {
  const ts = new Timestamp();
  ts.setSeconds(1700000000);
  ts.setNanos(123456789);
  return ts;
}

function identity(mspId) {
  const id = new msp.SerializedIdentity();
  id.setMspid(mspId);
  id.setIdBytes(utf8(CERT_PEM));
  return id.serializeBinary();
}

function chaincodeId() {
  const id = new peer.ChaincodeID();
  id.setName('basic');
  id.setVersion('1.0');
  return id;
}

function channelHeader() {
  const extension = new peer.ChaincodeHeaderExtension();
  extension.setChaincodeId(chaincodeId());
  const header = new common.ChannelHeader();
  header.setType(common.HeaderType.ENDORSER_TRANSACTION);
  header.setVersion(1);
  header.setTimestamp(timestamp());
  header.setChannelId('mychannel');
  header.setTxId(TX_ID);
  header.setEpoch(HUGE);
  header.setExtension$(extension.serializeBinary());
  header.setTlsCertHash(pattern(32, 2));
  return header.serializeBinary();
}

function signatureHeader() {
  const header = new common.SignatureHeader();
  header.setCreator(identity('Org1MSP'));
  header.setNonce(pattern(24, 3));
  return header.serializeBinary();
}

function header() {
  const h = new common.Header();
  h.setChannelHeader(channelHeader());
  h.setSignatureHeader(signatureHeader());
  return h;
}

function invocationSpec() {
  const input = new peer.ChaincodeInput();
  input.setArgsList([utf8('CreateAsset'), utf8('asset1'), utf8('ключ-€'), pattern(3, 4)]);
  input.getDecorationsMap().set('zeta', pattern(2, 5)).set('alpha', utf8('x'));
  const spec = new peer.ChaincodeSpec();
  spec.setType(peer.ChaincodeSpec.Type.NODE);
  spec.setChaincodeId(chaincodeId());
  spec.setInput(input);
  spec.setTimeout(30);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  return invocation.serializeBinary();
}

function proposalPayload(withTransient) {
  const payload = new peer.ChaincodeProposalPayload();
  payload.setInput(invocationSpec());
  if (withTransient) {
    payload.getTransientmapMap()
      .set('secret', pattern(16, 6))
      .set('asset_properties', utf8('{"color":"blue","size":5}'));
  }
  return payload.serializeBinary();
}

function signedProposal() {
  const proposal = new peer.Proposal();
  proposal.setHeader(header().serializeBinary());
  proposal.setPayload(proposalPayload(true));
  const signed = new peer.SignedProposal();
  signed.setProposalBytes(proposal.serializeBinary());
  signed.setSignature(pattern(71, 7));
  return signed;
}

function kvRead(key, blockNum, txNum) {
  const read = new kvrwset.KVRead();
  read.setKey(key);
  if (blockNum !== undefined) {
    const version = new kvrwset.Version();
    version.setBlockNum(blockNum);
    version.setTxNum(txNum);
    read.setVersion(version);
  }
  return read;
}

function kvWrite(key, value, isDelete) {
  const write = new kvrwset.KVWrite();
  write.setKey(key);
  write.setIsDelete(isDelete);
  write.setValue(value);
  return write;
}

function kvRwSet() {
  const rawReads = new kvrwset.QueryReads();
  rawReads.setKvReadsList([kvRead('b', 5, 0)]);
  const rawRange = new kvrwset.RangeQueryInfo();
  rawRange.setStartKey('a');
  rawRange.setEndKey('z');
  rawRange.setItrExhausted(true);
  rawRange.setRawReads(rawReads);

  const summary = new kvrwset.QueryReadsMerkleSummary();
  summary.setMaxDegree(50);
  summary.setMaxLevel(2);
  summary.setMaxLevelHashesList([pattern(32, 8), pattern(32, 9)]);
  const hashedRange = new kvrwset.RangeQueryInfo();
  hashedRange.setReadsMerkleHashes(summary);

  const entry = new kvrwset.KVMetadataEntry();
  entry.setName('VALIDATION_PARAMETER');
  entry.setValue(pattern(12, 11));
  const metadataWrite = new kvrwset.KVMetadataWrite();
  metadataWrite.setKey('asset1');
  metadataWrite.setEntriesList([entry]);

  const set = new kvrwset.KVRWSet();
  set.setReadsList([kvRead('asset1', BIG, 7), kvRead('asset2')]);
  set.setRangeQueriesInfoList([rawRange, hashedRange]);
  set.setWritesList([
    kvWrite('asset1', utf8('{"ID":"asset1","Owner":"Tomoko"}'), false),
    kvWrite('asset3', new Uint8Array(0), true),
    kvWrite('\u0000composite\u0000key\u0000', pattern(5, 10), false),
  ]);
  set.setMetadataWritesList([metadataWrite]);
  return set;
}

function hashedRwSet() {
  const read = new kvrwset.KVReadHash();
  read.setKeyHash(pattern(32, 13));
  const version = new kvrwset.Version();
  version.setBlockNum(3);
  version.setTxNum(1);
  read.setVersion(version);

  const write = new kvrwset.KVWriteHash();
  write.setKeyHash(pattern(32, 14));
  write.setValueHash(pattern(32, 15));
  const purge = new kvrwset.KVWriteHash();
  purge.setKeyHash(pattern(32, 16));
  purge.setIsDelete(true);
  purge.setIsPurge(true);

  const entry = new kvrwset.KVMetadataEntry();
  entry.setName('m');
  entry.setValue(pattern(1, 18));
  const metadataWrite = new kvrwset.KVMetadataWriteHash();
  metadataWrite.setKeyHash(pattern(32, 17));
  metadataWrite.setEntriesList([entry]);

  const set = new kvrwset.HashedRWSet();
  set.setHashedReadsList([read]);
  set.setHashedWritesList([write, purge]);
  set.setMetadataWritesList([metadataWrite]);
  return set;
}

function txRwSet() {
  const collection = new rwset.CollectionHashedReadWriteSet();
  collection.setCollectionName('private');
  collection.setHashedRwset(hashedRwSet().serializeBinary());
  collection.setPvtRwsetHash(pattern(32, 12));
  const basic = new rwset.NsReadWriteSet();
  basic.setNamespace('basic');
  basic.setRwset(kvRwSet().serializeBinary());
  basic.setCollectionHashedRwsetList([collection]);

  const lifecycleReads = new kvrwset.KVRWSet();
  lifecycleReads.setReadsList([kvRead('namespaces/fields/basic/Sequence', 1, 0)]);
  const lifecycle = new rwset.NsReadWriteSet();
  lifecycle.setNamespace('_lifecycle');
  lifecycle.setRwset(lifecycleReads.serializeBinary());

  const set = new rwset.TxReadWriteSet();
  set.setDataModel(rwset.TxReadWriteSet.DataModel.KV);
  set.setNsRwsetList([basic, lifecycle]);
  return set.serializeBinary();
}

function chaincodeEvent() {
  const event = new peer.ChaincodeEvent();
  event.setChaincodeId('basic');
  event.setTxId(TX_ID);
  event.setEventName('AssetCreated');
  event.setPayload(utf8('{"id":"asset1"}'));
  return event;
}

function response(status, message, payload) {
  const r = new peer.Response();
  r.setStatus(status);
  r.setMessage(message);
  r.setPayload(payload);
  return r;
}

function proposalResponsePayload() {
  const action = new peer.ChaincodeAction();
  action.setResults(txRwSet());
  action.setEvents(chaincodeEvent().serializeBinary());
  action.setResponse(response(200, '', utf8('{"ID":"asset1"}')));
  action.setChaincodeId(chaincodeId());
  const payload = new peer.ProposalResponsePayload();
  payload.setProposalHash(pattern(32, 19));
  payload.setExtension$(action.serializeBinary());
  return payload.serializeBinary();
}

function endorsement(mspId, seed) {
  const e = new peer.Endorsement();
  e.setEndorser(identity(mspId));
  e.setSignature(pattern(70, seed));
  return e;
}

function rolePrincipal(mspId, role) {
  const mspRole = new common.MSPRole();
  mspRole.setMspIdentifier(mspId);
  mspRole.setRole(role);
  const principal = new common.MSPPrincipal();
  principal.setPrincipalClassification(common.MSPPrincipal.Classification.ROLE);
  principal.setPrincipal(mspRole.serializeBinary());
  return principal;
}

function signedBy(index) {
  const rule = new common.SignaturePolicy();
  rule.setSignedBy(index); // index 0 must still be encoded: it is a oneof member
  return rule;
}

function twoOfTwoPolicy() {
  const nOutOf = new common.SignaturePolicy.NOutOf();
  nOutOf.setN(2);
  nOutOf.setRulesList([signedBy(0), signedBy(1)]);
  const rule = new common.SignaturePolicy();
  rule.setNOutOf(nOutOf);
  const policy = new common.SignaturePolicyEnvelope();
  policy.setVersion(0);
  policy.setRule(rule);
  policy.setIdentitiesList([
    rolePrincipal('Org1MSP', common.MSPRole.MSPRoleType.PEER),
    rolePrincipal('Org2MSP', common.MSPRole.MSPRoleType.MEMBER),
  ]);
  return policy;
}

function proposalResponse() {
  const call = new peer.ChaincodeCall();
  call.setName('basic');
  call.setCollectionNamesList(['private', 'shared']);
  call.setNoPrivateReads(true);
  call.setKeyPoliciesList([twoOfTwoPolicy()]);
  call.setDisregardNamespacePolicy(true);
  const other = new peer.ChaincodeCall();
  other.setName('other');
  const interest = new peer.ChaincodeInterest();
  interest.setChaincodesList([call, other]);

  const r = new peer.ProposalResponse();
  r.setVersion(1);
  r.setTimestamp(timestamp());
  r.setResponse(response(200, 'OK', utf8('{"ID":"asset1"}')));
  r.setPayload(proposalResponsePayload());
  r.setEndorsement(endorsement('Org2MSP', 20));
  r.setInterest(interest);
  return r;
}

function envelope() {
  const endorsedAction = new peer.ChaincodeEndorsedAction();
  endorsedAction.setProposalResponsePayload(proposalResponsePayload());
  endorsedAction.setEndorsementsList([endorsement('Org1MSP', 30), endorsement('Org2MSP', 31)]);
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposalPayload(false));
  actionPayload.setAction(endorsedAction);
  const action = new peer.TransactionAction();
  action.setHeader(signatureHeader());
  action.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([action]);

  const payload = new common.Payload();
  payload.setHeader(header());
  payload.setData(transaction.serializeBinary());
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  env.setSignature(pattern(72, 21));
  return env;
}

function block() {
  const blockHeader = new common.BlockHeader();
  blockHeader.setNumber(BIG);
  blockHeader.setPreviousHash(pattern(32, 22));
  blockHeader.setDataHash(pattern(32, 23));

  const opaque = new common.Envelope();
  opaque.setPayload(pattern(10, 24));
  const data = new common.BlockData();
  data.setDataList([envelope().serializeBinary(), opaque.serializeBinary()]);

  const lastConfig = new common.LastConfig();
  lastConfig.setIndex(2);
  const ordererMetadata = new common.OrdererBlockMetadata();
  ordererMetadata.setLastConfig(lastConfig);
  ordererMetadata.setConsenterMetadata(pattern(4, 25));
  const signature = new common.MetadataSignature();
  signature.setSignatureHeader(signatureHeader());
  signature.setSignature(pattern(71, 26));
  // Fabric 2.5 BFT orderers identify the signer by consenter id instead.
  const identifier = new common.IdentifierHeader();
  identifier.setIdentifier(3);
  identifier.setNonce(pattern(24, 32));
  const bftSignature = new common.MetadataSignature();
  bftSignature.setIdentifierHeader(identifier.serializeBinary());
  bftSignature.setSignature(pattern(71, 33));
  const signatures = new common.Metadata();
  signatures.setValue(ordererMetadata.serializeBinary());
  signatures.setSignaturesList([signature, bftSignature]);

  const metadata = new common.BlockMetadata();
  metadata.setMetadataList([
    signatures.serializeBinary(), // SIGNATURES
    new Uint8Array(0), // LAST_CONFIG (deprecated, left empty)
    new Uint8Array([0, 11]), // TRANSACTIONS_FILTER: VALID, MVCC_READ_CONFLICT
    new Uint8Array(0), // ORDERER
    pattern(32, 27), // COMMIT_HASH
  ]);

  const b = new common.Block();
  b.setHeader(blockHeader);
  b.setData(data);
  b.setMetadata(metadata);
  return b;
}

function chaincodeMessage() {
  const input = new peer.ChaincodeInput();
  input.setArgsList([utf8('ReadAsset'), utf8('asset1')]);
  input.getDecorationsMap().set('trace', pattern(4, 28));
  input.setIsInit(true);
  const message = new peer.ChaincodeMessage();
  message.setType(peer.ChaincodeMessage.Type.TRANSACTION);
  message.setTimestamp(timestamp());
  message.setPayload(input.serializeBinary());
  message.setTxid(TX_ID);
  message.setProposal(signedProposal());
  message.setChaincodeEvent(chaincodeEvent());
  message.setChannelId('mychannel');
  return message;
}

function writeRecord(key, type) {
  const record = new peer.WriteRecord();
  record.setKey(key);
  record.setType(type);
  return record;
}

// Fabric 2.5's batched writes.
function writeBatchMessage() {
  const put = writeRecord('k1', peer.WriteRecord.Type.PUT_STATE);
  put.setValue(pattern(8, 29));
  const purge = writeRecord('k2', peer.WriteRecord.Type.PURGE_PRIVATE_DATA);
  purge.setCollection('private');
  const metadata = new peer.StateMetadata();
  metadata.setMetakey('VALIDATION_PARAMETER');
  metadata.setValue(pattern(6, 30));
  const putMetadata = writeRecord('k3', peer.WriteRecord.Type.PUT_STATE_METADATA);
  putMetadata.setMetadata(metadata);
  const batch = new peer.WriteBatchState();
  batch.setRecList([put, purge, putMetadata]);

  const message = new peer.ChaincodeMessage();
  message.setType(peer.ChaincodeMessage.Type.WRITE_BATCH_STATE);
  message.setPayload(batch.serializeBinary());
  message.setTxid(TX_ID);
  message.setChannelId('mychannel');
  return message;
}

// Fabric 2.5's multi-key read.
function getStateMultipleMessage() {
  const request = new peer.GetStateMultiple();
  request.setKeysList(['asset1', 'asset2', '']);
  request.setCollection('private');
  const message = new peer.ChaincodeMessage();
  message.setType(peer.ChaincodeMessage.Type.GET_STATE_MULTIPLE);
  message.setPayload(request.serializeBinary());
  message.setTxid(TX_ID);
  message.setChannelId('mychannel');
  return message;
}

// Fabric 2.5's next_commit start and header-only content.
function seekInfo() {
  const start = new orderer.SeekPosition();
  start.setNextCommit(new orderer.SeekNextCommit());
  const specified = new orderer.SeekSpecified();
  specified.setNumber(HUGE);
  const stop = new orderer.SeekPosition();
  stop.setSpecified(specified);
  const info = new orderer.SeekInfo();
  info.setStart(start);
  info.setStop(stop);
  info.setBehavior(orderer.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY);
  info.setErrorResponse(orderer.SeekInfo.SeekErrorResponse.BEST_EFFORT);
  info.setContentType(orderer.SeekInfo.SeekContentType.HEADER_WITH_SIG);
  return info;
}

function endorseRequest() {
  const request = new gateway.EndorseRequest();
  request.setTransactionId(TX_ID);
  request.setChannelId('mychannel');
  request.setProposedTransaction(signedProposal());
  request.setEndorsingOrganizationsList(['Org1MSP', 'Org2MSP']);
  return request;
}

const messages = {
  'common.Envelope': envelope(),
  'protos.SignedProposal': signedProposal(),
  'protos.ProposalResponse': proposalResponse(),
  'common.Block': block(),
  'protos.ChaincodeMessage': chaincodeMessage(),
  'protos.ChaincodeMessage/WriteBatchState': writeBatchMessage(),
  'protos.ChaincodeMessage/GetStateMultiple': getStateMultipleMessage(),
  'kvrwset.KVRWSet': kvRwSet(),
  'kvrwset.HashedRWSet': hashedRwSet(),
  'orderer.SeekInfo': seekInfo(),
  'gateway.EndorseRequest': endorseRequest(),
};

const out = {};
for (const [name, message] of Object.entries(messages)) {
  out[name] = Buffer.from(message.serializeBinary()).toString('hex');
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
