// Byte-level interop with the JS bindings Fabric's Node SDKs use
// (@hyperledger/fabric-protos): build_messages.js serializes messages with
// known values; this test builds the same values in C++ and requires that
// Node's bytes parse, equal the C++ message field for field, and re-encode to
// exactly the same bytes. Every builder here mirrors one in build_messages.js.

#include <absl/strings/escaping.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/message_differencer.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/common.pb.h"
#include "gateway/gateway.pb.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "msp/identities.pb.h"
#include "msp/msp_principal.pb.h"
#include "orderer/ab.pb.h"
#include "peer/chaincode.pb.h"
#include "peer/chaincode_event.pb.h"
#include "peer/chaincode_shim.pb.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"

namespace {

namespace gp = google::protobuf;

constexpr std::uint64_t kBig = 9223372036854777856ULL;    // 2^63 + 2^11
constexpr std::uint64_t kHuge = 18446744073709549568ULL;  // 2^64 - 2^11
constexpr char kCertPem[] = "-----BEGIN CERTIFICATE-----\nMIIBWeft\n-----END CERTIFICATE-----\n";

// Byte i is (seed + 31 * i) mod 256, as pattern() in build_messages.js.
std::string Pattern(std::size_t length, int seed) {
  std::string bytes(length, '\0');
  for (std::size_t i = 0; i < length; ++i) {
    bytes[i] = static_cast<char>((seed + 31 * static_cast<int>(i)) & 0xff);
  }
  return bytes;
}

// Maps make plain serialization order unspecified; JS sorts map keys, so do we.
std::string Serialize(const gp::Message& message) {
  std::string bytes;
  {
    // The coded stream only trims `bytes` to size when it is destroyed.
    gp::io::StringOutputStream stream(&bytes);
    gp::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    REQUIRE(message.SerializeToCodedStream(&coded));
  }
  return bytes;
}

std::string TxId() { return absl::BytesToHexString(Pattern(32, 1)); }

void SetTimestamp(gp::Timestamp* timestamp) {
  timestamp->set_seconds(1700000000);
  timestamp->set_nanos(123456789);
}

std::string Identity(const std::string& msp_id) {
  ::msp::SerializedIdentity identity;
  identity.set_mspid(msp_id);
  identity.set_id_bytes(kCertPem);
  return Serialize(identity);
}

void FillChaincodeId(::protos::ChaincodeID* id) {
  id->set_name("basic");
  id->set_version("1.0");
}

std::string ChannelHeader() {
  ::protos::ChaincodeHeaderExtension extension;
  FillChaincodeId(extension.mutable_chaincode_id());
  ::common::ChannelHeader header;
  header.set_type(::common::ENDORSER_TRANSACTION);
  header.set_version(1);
  SetTimestamp(header.mutable_timestamp());
  header.set_channel_id("mychannel");
  header.set_tx_id(TxId());
  header.set_epoch(kHuge);
  header.set_extension(Serialize(extension));
  header.set_tls_cert_hash(Pattern(32, 2));
  return Serialize(header);
}

std::string SignatureHeader() {
  ::common::SignatureHeader header;
  header.set_creator(Identity("Org1MSP"));
  header.set_nonce(Pattern(24, 3));
  return Serialize(header);
}

void FillHeader(::common::Header* header) {
  header->set_channel_header(ChannelHeader());
  header->set_signature_header(SignatureHeader());
}

std::string InvocationSpec() {
  ::protos::ChaincodeInvocationSpec invocation;
  ::protos::ChaincodeSpec* spec = invocation.mutable_chaincode_spec();
  spec->set_type(::protos::ChaincodeSpec::NODE);
  FillChaincodeId(spec->mutable_chaincode_id());
  ::protos::ChaincodeInput* input = spec->mutable_input();
  input->add_args("CreateAsset");
  input->add_args("asset1");
  input->add_args("ключ-€");
  input->add_args(Pattern(3, 4));
  (*input->mutable_decorations())["zeta"] = Pattern(2, 5);
  (*input->mutable_decorations())["alpha"] = "x";
  spec->set_timeout(30);
  return Serialize(invocation);
}

std::string ProposalPayload(bool with_transient) {
  ::protos::ChaincodeProposalPayload payload;
  payload.set_input(InvocationSpec());
  if (with_transient) {
    (*payload.mutable_transientmap())["secret"] = Pattern(16, 6);
    (*payload.mutable_transientmap())["asset_properties"] = R"({"color":"blue","size":5})";
  }
  return Serialize(payload);
}

void FillSignedProposal(::protos::SignedProposal* signed_proposal) {
  ::protos::Proposal proposal;
  ::common::Header header;
  FillHeader(&header);
  proposal.set_header(Serialize(header));
  proposal.set_payload(ProposalPayload(true));
  signed_proposal->set_proposal_bytes(Serialize(proposal));
  signed_proposal->set_signature(Pattern(71, 7));
}

void FillKvRead(::kvrwset::KVRead* read, const std::string& key) { read->set_key(key); }

void FillKvRead(::kvrwset::KVRead* read, const std::string& key, std::uint64_t block_num,
                std::uint64_t tx_num) {
  read->set_key(key);
  read->mutable_version()->set_block_num(block_num);
  read->mutable_version()->set_tx_num(tx_num);
}

void FillKvWrite(::kvrwset::KVWrite* write, const std::string& key, const std::string& value,
                 bool is_delete) {
  write->set_key(key);
  write->set_is_delete(is_delete);
  write->set_value(value);
}

::kvrwset::KVRWSet KvRwSet() {
  ::kvrwset::KVRWSet set;
  FillKvRead(set.add_reads(), "asset1", kBig, 7);
  FillKvRead(set.add_reads(), "asset2");

  ::kvrwset::RangeQueryInfo* raw_range = set.add_range_queries_info();
  raw_range->set_start_key("a");
  raw_range->set_end_key("z");
  raw_range->set_itr_exhausted(true);
  FillKvRead(raw_range->mutable_raw_reads()->add_kv_reads(), "b", 5, 0);

  ::kvrwset::QueryReadsMerkleSummary* summary =
      set.add_range_queries_info()->mutable_reads_merkle_hashes();
  summary->set_max_degree(50);
  summary->set_max_level(2);
  summary->add_max_level_hashes(Pattern(32, 8));
  summary->add_max_level_hashes(Pattern(32, 9));

  FillKvWrite(set.add_writes(), "asset1", R"({"ID":"asset1","Owner":"Tomoko"})", false);
  FillKvWrite(set.add_writes(), "asset3", "", true);
  FillKvWrite(set.add_writes(), std::string("\0composite\0key\0", 15), Pattern(5, 10), false);

  ::kvrwset::KVMetadataWrite* metadata_write = set.add_metadata_writes();
  metadata_write->set_key("asset1");
  ::kvrwset::KVMetadataEntry* entry = metadata_write->add_entries();
  entry->set_name("VALIDATION_PARAMETER");
  entry->set_value(Pattern(12, 11));
  return set;
}

::kvrwset::HashedRWSet HashedRwSet() {
  ::kvrwset::HashedRWSet set;
  ::kvrwset::KVReadHash* read = set.add_hashed_reads();
  read->set_key_hash(Pattern(32, 13));
  read->mutable_version()->set_block_num(3);
  read->mutable_version()->set_tx_num(1);

  ::kvrwset::KVWriteHash* write = set.add_hashed_writes();
  write->set_key_hash(Pattern(32, 14));
  write->set_value_hash(Pattern(32, 15));
  ::kvrwset::KVWriteHash* purge = set.add_hashed_writes();
  purge->set_key_hash(Pattern(32, 16));
  purge->set_is_delete(true);
  purge->set_is_purge(true);

  ::kvrwset::KVMetadataWriteHash* metadata_write = set.add_metadata_writes();
  metadata_write->set_key_hash(Pattern(32, 17));
  ::kvrwset::KVMetadataEntry* entry = metadata_write->add_entries();
  entry->set_name("m");
  entry->set_value(Pattern(1, 18));
  return set;
}

std::string TxRwSet() {
  ::rwset::TxReadWriteSet set;
  set.set_data_model(::rwset::TxReadWriteSet::KV);

  ::rwset::NsReadWriteSet* basic = set.add_ns_rwset();
  basic->set_namespace_("basic");
  basic->set_rwset(Serialize(KvRwSet()));
  ::rwset::CollectionHashedReadWriteSet* collection = basic->add_collection_hashed_rwset();
  collection->set_collection_name("private");
  collection->set_hashed_rwset(Serialize(HashedRwSet()));
  collection->set_pvt_rwset_hash(Pattern(32, 12));

  ::kvrwset::KVRWSet lifecycle_reads;
  FillKvRead(lifecycle_reads.add_reads(), "namespaces/fields/basic/Sequence", 1, 0);
  ::rwset::NsReadWriteSet* lifecycle = set.add_ns_rwset();
  lifecycle->set_namespace_("_lifecycle");
  lifecycle->set_rwset(Serialize(lifecycle_reads));
  return Serialize(set);
}

void FillChaincodeEvent(::protos::ChaincodeEvent* event) {
  event->set_chaincode_id("basic");
  event->set_tx_id(TxId());
  event->set_event_name("AssetCreated");
  event->set_payload(R"({"id":"asset1"})");
}

void FillResponse(::protos::Response* response, int status, const std::string& message,
                  const std::string& payload) {
  response->set_status(status);
  response->set_message(message);
  response->set_payload(payload);
}

std::string ProposalResponsePayload() {
  ::protos::ChaincodeEvent event;
  FillChaincodeEvent(&event);
  ::protos::ChaincodeAction action;
  action.set_results(TxRwSet());
  action.set_events(Serialize(event));
  FillResponse(action.mutable_response(), 200, "", R"({"ID":"asset1"})");
  FillChaincodeId(action.mutable_chaincode_id());
  ::protos::ProposalResponsePayload payload;
  payload.set_proposal_hash(Pattern(32, 19));
  payload.set_extension(Serialize(action));
  return Serialize(payload);
}

void FillEndorsement(::protos::Endorsement* endorsement, const std::string& msp_id, int seed) {
  endorsement->set_endorser(Identity(msp_id));
  endorsement->set_signature(Pattern(70, seed));
}

void AddRolePrincipal(::common::SignaturePolicyEnvelope* policy, const std::string& msp_id,
                      ::common::MSPRole::MSPRoleType role_type) {
  ::common::MSPRole role;
  role.set_msp_identifier(msp_id);
  role.set_role(role_type);
  ::common::MSPPrincipal* principal = policy->add_identities();
  principal->set_principal_classification(::common::MSPPrincipal::ROLE);
  principal->set_principal(Serialize(role));
}

void FillTwoOfTwoPolicy(::common::SignaturePolicyEnvelope* policy) {
  ::common::SignaturePolicy::NOutOf* n_out_of = policy->mutable_rule()->mutable_n_out_of();
  n_out_of->set_n(2);
  n_out_of->add_rules()->set_signed_by(0);  // a oneof member: 0 is still encoded
  n_out_of->add_rules()->set_signed_by(1);
  policy->set_version(0);
  AddRolePrincipal(policy, "Org1MSP", ::common::MSPRole::PEER);
  AddRolePrincipal(policy, "Org2MSP", ::common::MSPRole::MEMBER);
}

::protos::ProposalResponse ProposalResponse() {
  ::protos::ProposalResponse response;
  response.set_version(1);
  SetTimestamp(response.mutable_timestamp());
  FillResponse(response.mutable_response(), 200, "OK", R"({"ID":"asset1"})");
  response.set_payload(ProposalResponsePayload());
  FillEndorsement(response.mutable_endorsement(), "Org2MSP", 20);

  ::protos::ChaincodeCall* call = response.mutable_interest()->add_chaincodes();
  call->set_name("basic");
  call->add_collection_names("private");
  call->add_collection_names("shared");
  call->set_no_private_reads(true);
  FillTwoOfTwoPolicy(call->add_key_policies());
  call->set_disregard_namespace_policy(true);
  response.mutable_interest()->add_chaincodes()->set_name("other");
  return response;
}

::common::Envelope Envelope() {
  ::protos::ChaincodeActionPayload action_payload;
  action_payload.set_chaincode_proposal_payload(ProposalPayload(false));
  ::protos::ChaincodeEndorsedAction* endorsed = action_payload.mutable_action();
  endorsed->set_proposal_response_payload(ProposalResponsePayload());
  FillEndorsement(endorsed->add_endorsements(), "Org1MSP", 30);
  FillEndorsement(endorsed->add_endorsements(), "Org2MSP", 31);

  ::protos::Transaction transaction;
  ::protos::TransactionAction* action = transaction.add_actions();
  action->set_header(SignatureHeader());
  action->set_payload(Serialize(action_payload));

  ::common::Payload payload;
  FillHeader(payload.mutable_header());
  payload.set_data(Serialize(transaction));
  ::common::Envelope envelope;
  envelope.set_payload(Serialize(payload));
  envelope.set_signature(Pattern(72, 21));
  return envelope;
}

::common::Block Block() {
  ::common::Block block;
  block.mutable_header()->set_number(kBig);
  block.mutable_header()->set_previous_hash(Pattern(32, 22));
  block.mutable_header()->set_data_hash(Pattern(32, 23));

  ::common::Envelope opaque;
  opaque.set_payload(Pattern(10, 24));
  block.mutable_data()->add_data(Serialize(Envelope()));
  block.mutable_data()->add_data(Serialize(opaque));

  ::common::OrdererBlockMetadata orderer_metadata;
  orderer_metadata.mutable_last_config()->set_index(2);
  orderer_metadata.set_consenter_metadata(Pattern(4, 25));
  ::common::Metadata signatures;
  signatures.set_value(Serialize(orderer_metadata));
  ::common::MetadataSignature* signature = signatures.add_signatures();
  signature->set_signature_header(SignatureHeader());
  signature->set_signature(Pattern(71, 26));
  ::common::IdentifierHeader identifier;
  identifier.set_identifier(3);
  identifier.set_nonce(Pattern(24, 32));
  ::common::MetadataSignature* bft_signature = signatures.add_signatures();
  bft_signature->set_identifier_header(Serialize(identifier));
  bft_signature->set_signature(Pattern(71, 33));

  ::common::BlockMetadata* metadata = block.mutable_metadata();
  metadata->add_metadata(Serialize(signatures));       // SIGNATURES
  metadata->add_metadata("");                          // LAST_CONFIG
  metadata->add_metadata(std::string("\x00\x0b", 2));  // TRANSACTIONS_FILTER
  metadata->add_metadata("");                          // ORDERER
  metadata->add_metadata(Pattern(32, 27));             // COMMIT_HASH
  return block;
}

::protos::ChaincodeMessage ChaincodeMessage() {
  ::protos::ChaincodeInput input;
  input.add_args("ReadAsset");
  input.add_args("asset1");
  (*input.mutable_decorations())["trace"] = Pattern(4, 28);
  input.set_is_init(true);

  ::protos::ChaincodeMessage message;
  message.set_type(::protos::ChaincodeMessage::TRANSACTION);
  SetTimestamp(message.mutable_timestamp());
  message.set_payload(Serialize(input));
  message.set_txid(TxId());
  FillSignedProposal(message.mutable_proposal());
  FillChaincodeEvent(message.mutable_chaincode_event());
  message.set_channel_id("mychannel");
  return message;
}

::protos::ChaincodeMessage WriteBatchMessage() {
  ::protos::WriteBatchState batch;
  ::protos::WriteRecord* put = batch.add_rec();
  put->set_key("k1");
  put->set_type(::protos::WriteRecord::PUT_STATE);
  put->set_value(Pattern(8, 29));
  ::protos::WriteRecord* purge = batch.add_rec();
  purge->set_key("k2");
  purge->set_type(::protos::WriteRecord::PURGE_PRIVATE_DATA);
  purge->set_collection("private");
  ::protos::WriteRecord* put_metadata = batch.add_rec();
  put_metadata->set_key("k3");
  put_metadata->set_type(::protos::WriteRecord::PUT_STATE_METADATA);
  put_metadata->mutable_metadata()->set_metakey("VALIDATION_PARAMETER");
  put_metadata->mutable_metadata()->set_value(Pattern(6, 30));

  ::protos::ChaincodeMessage message;
  message.set_type(::protos::ChaincodeMessage::WRITE_BATCH_STATE);
  message.set_payload(Serialize(batch));
  message.set_txid(TxId());
  message.set_channel_id("mychannel");
  return message;
}

::protos::ChaincodeMessage GetStateMultipleMessage() {
  ::protos::GetStateMultiple request;
  request.add_keys("asset1");
  request.add_keys("asset2");
  request.add_keys("");
  request.set_collection("private");
  ::protos::ChaincodeMessage message;
  message.set_type(::protos::ChaincodeMessage::GET_STATE_MULTIPLE);
  message.set_payload(Serialize(request));
  message.set_txid(TxId());
  message.set_channel_id("mychannel");
  return message;
}

::orderer::SeekInfo SeekInfo() {
  ::orderer::SeekInfo info;
  info.mutable_start()->mutable_next_commit();
  info.mutable_stop()->mutable_specified()->set_number(kHuge);
  info.set_behavior(::orderer::SeekInfo::FAIL_IF_NOT_READY);
  info.set_error_response(::orderer::SeekInfo::BEST_EFFORT);
  info.set_content_type(::orderer::SeekInfo::HEADER_WITH_SIG);
  return info;
}

::gateway::EndorseRequest EndorseRequest() {
  ::gateway::EndorseRequest request;
  request.set_transaction_id(TxId());
  request.set_channel_id("mychannel");
  FillSignedProposal(request.mutable_proposed_transaction());
  request.add_endorsing_organizations("Org1MSP");
  request.add_endorsing_organizations("Org2MSP");
  return request;
}

// Runs build_messages.js and returns its messages as raw bytes by name.
std::map<std::string, std::string> NodeMessages() {
  const std::filesystem::path interop = std::filesystem::path(WEFT_SOURCE_DIR) / "tests/interop";
  if (!std::filesystem::is_directory(interop / "node_modules/@hyperledger/fabric-protos")) {
    FAIL("@hyperledger/fabric-protos is not installed in "
         << interop.string()
         << "/node_modules. Run deploy/setup.sh (it runs `npm ci` in tests/interop).");
  }
  const std::string command = "node '" + (interop / "protos/build_messages.js").string() + "'";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;)
    output.append(buffer, n);
  const int status = pclose(pipe);
  INFO("`" << command << "` printed:\n" << output);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  std::map<std::string, std::string> messages;
  const nlohmann::json json = nlohmann::json::parse(output, nullptr, /*allow_exceptions=*/false);
  REQUIRE(json.is_object());
  for (const auto& [name, hex] : json.items()) {
    REQUIRE(hex.is_string());
    messages[name] = absl::HexStringToBytes(hex.get<std::string>());
  }
  return messages;
}

// The three properties this file exists for, on one message.
template <typename Message>
void RequireSameAsNode(const std::string& name, const Message& built_in_cpp) {
  const std::map<std::string, std::string> node = NodeMessages();
  const auto it = node.find(name);
  INFO("message " << name);
  REQUIRE(it != node.end());
  const std::string& node_bytes = it->second;

  Message parsed;
  REQUIRE(parsed.ParseFromString(node_bytes));

  gp::util::MessageDifferencer differencer;
  std::string differences;
  differencer.ReportDifferencesToString(&differences);
  INFO("parsed Node bytes vs C++ message:\n" << differences);
  CHECK(differencer.Compare(parsed, built_in_cpp));

  CHECK(absl::BytesToHexString(Serialize(parsed)) == absl::BytesToHexString(node_bytes));
  CHECK(absl::BytesToHexString(Serialize(built_in_cpp)) == absl::BytesToHexString(node_bytes));
}

}  // namespace

TEST_CASE("Node's Envelope bytes parse, equal the C++ Envelope and re-encode identically") {
  RequireSameAsNode("common.Envelope", Envelope());
}

TEST_CASE(
    "Node's SignedProposal bytes parse, equal the C++ SignedProposal and re-encode identically") {
  ::protos::SignedProposal proposal;
  FillSignedProposal(&proposal);
  RequireSameAsNode("protos.SignedProposal", proposal);
}

TEST_CASE(
    "Node's ProposalResponse bytes, with chaincode interest, match the C++ ProposalResponse") {
  RequireSameAsNode("protos.ProposalResponse", ProposalResponse());
}

TEST_CASE("Node's Block bytes, with a Fabric 2.5 BFT signature, match the C++ Block") {
  RequireSameAsNode("common.Block", Block());
}

TEST_CASE(
    "Node's ChaincodeMessage bytes parse, equal the C++ ChaincodeMessage and re-encode "
    "identically") {
  RequireSameAsNode("protos.ChaincodeMessage", ChaincodeMessage());
}

TEST_CASE("Node's Fabric 2.5 write-batch ChaincodeMessage matches the C++ one") {
  RequireSameAsNode("protos.ChaincodeMessage/WriteBatchState", WriteBatchMessage());
}

TEST_CASE("Node's Fabric 2.5 multi-key read ChaincodeMessage matches the C++ one") {
  RequireSameAsNode("protos.ChaincodeMessage/GetStateMultiple", GetStateMultipleMessage());
}

TEST_CASE("Node's KVRWSet bytes parse, equal the C++ KVRWSet and re-encode identically") {
  RequireSameAsNode("kvrwset.KVRWSet", KvRwSet());
}

TEST_CASE("Node's HashedRWSet bytes, with Fabric 2.5 purges, match the C++ HashedRWSet") {
  RequireSameAsNode("kvrwset.HashedRWSet", HashedRwSet());
}

TEST_CASE(
    "Node's SeekInfo bytes, with Fabric 2.5 next-commit and content type, match the C++ SeekInfo") {
  RequireSameAsNode("orderer.SeekInfo", SeekInfo());
}

TEST_CASE(
    "Node's gateway EndorseRequest bytes parse, equal the C++ request and re-encode identically") {
  RequireSameAsNode("gateway.EndorseRequest", EndorseRequest());
}

TEST_CASE("A one-value difference between Node's and the C++ message is detected") {
  const std::map<std::string, std::string> node = NodeMessages();
  ::orderer::SeekInfo parsed;
  REQUIRE(parsed.ParseFromString(node.at("orderer.SeekInfo")));
  ::orderer::SeekInfo changed = SeekInfo();
  changed.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
  CHECK_FALSE(gp::util::MessageDifferencer::Equals(parsed, changed));
  CHECK(Serialize(changed) != node.at("orderer.SeekInfo"));
}
