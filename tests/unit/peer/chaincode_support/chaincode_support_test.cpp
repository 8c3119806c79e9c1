#include "peer/chaincode_support/chaincode_support.h"

#include <fmt/format.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "common/crypto/hash.h"
#include "common/crypto/x509.h"
#include "ledger/queryresult/kv_query_result.pb.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "peer/chaincode_support/chaincode_ca.h"
#include "peer/chaincode_support/chaincode_listener.h"
#include "peer/ledger/peer_ledger.h"
#include "peer/ledger/rwset/rwset.h"
#include "peer/ledger/statedb/state_db.h"
#include "peer/lifecycle/chaincode_definition.h"
#include "tests/support/ledger_test_util.h"
#include "tests/support/lifecycle_state.h"
#include "tests/support/scripted_chaincode.h"
#include "tests/support/temp_dir.h"
#include "tests/support/value_or_throw.h"
#include "tests/support/wait_until.h"
#include "tests/support/worker_thread.h"

namespace {

namespace ccs = weft::peer::chaincode_support;
namespace ledger = weft::peer::ledger;
using ::protos::ChaincodeMessage;
using weft::testing::ScriptedCall;
using weft::testing::ScriptedOutcome;
using weft::testing::ScriptedRuntime;

constexpr char kChannel[] = "mychannel";

// Answers for the chaincodes a test defines; NotFound for any other, as a peer without
// the definition does. Each lookup reads the definition's Sequence key through the
// simulator, as Fabric's does.
class TestLifecycle final : public ccs::Lifecycle {
 public:
  std::map<std::string, ccs::ChaincodeEndorsementInfo> defined;

  [[nodiscard]] weft::StatusOr<ccs::ChaincodeEndorsementInfo> GetEndorsementInfo(
      std::string_view channel_id, std::string_view name, ledger::TxSimulator& simulator) override {
    auto read =
        simulator.GetState("_lifecycle", fmt::format("namespaces/fields/{}/Sequence", name));
    if (!read.ok()) return read.status();
    auto it = defined.find(std::string(name));
    if (it == defined.end())
      return absl::NotFoundError(fmt::format("chaincode {} not found", name));
    return it->second;
  }
};

ccs::ChaincodeEndorsementInfo Info(const std::string& ccid, bool init_required = false) {
  ccs::ChaincodeEndorsementInfo info;
  info.version = "1.0";
  info.endorsement_plugin = "escc";
  info.chaincode_id = ccid;
  info.enforce_init = init_required;
  return info;
}

::protos::SignedProposal TestProposal() {
  ::protos::SignedProposal proposal;
  proposal.set_proposal_bytes("proposal bytes with the creator");
  proposal.set_signature("signature");
  return proposal;
}

struct Run {
  weft::StatusOr<ccs::ExecuteResult> result;
  ::rwset::TxReadWriteSet rwset;
};

struct Fixture {
  std::shared_ptr<ledger::statedb::StateDb> state = weft::testing::OpenTempStateDb();
  ScriptedRuntime runtime;
  TestLifecycle lifecycle;
  std::unique_ptr<ccs::ChaincodeCa> ca;
  std::unique_ptr<ccs::ChaincodeSupport> support;
  std::unique_ptr<ccs::ChaincodeListener> listener;
  ::protos::SignedProposal proposal = TestProposal();

  struct Options {
    bool tls = false;
    bool with_runtime = true;
    std::chrono::milliseconds execute_timeout = std::chrono::seconds(20);
    std::chrono::milliseconds startup_timeout = std::chrono::seconds(20);
    std::function<weft::StatusOr<std::set<std::string>>(std::string_view)> application_capabilities;
  };

  Fixture() : Fixture(Options()) {}
  explicit Fixture(Options options) {
    if (options.tls) ca = weft::testing::ValueOrThrow(ccs::ChaincodeCa::Create(), "chaincode CA");
    ccs::ChaincodeSupportOptions support_options;
    support_options.runtime = options.with_runtime ? &runtime : nullptr;
    support_options.lifecycle = &lifecycle;
    support_options.ca = ca.get();
    support_options.execute_timeout = options.execute_timeout;
    support_options.startup_timeout = options.startup_timeout;
    support_options.application_capabilities = options.application_capabilities;
    support = std::make_unique<ccs::ChaincodeSupport>(std::move(support_options));
    ccs::ChaincodeListenerOptions listener_options;
    listener_options.server.listen_address = "127.0.0.1:0";
    listener_options.ca = ca.get();
    listener_options.host = "127.0.0.1";
    auto started = ccs::ChaincodeListener::Start(std::move(listener_options), *support);
    if (!started.ok()) throw std::runtime_error(std::string(started.status().message()));
    listener = *std::move(started);
    support->SetPeerAddress(fmt::format("127.0.0.1:{}", listener->port()));
  }
  ~Fixture() {
    listener->Stop();
    support->Stop();
  }

  void Define(const std::string& name, weft::testing::Script script, bool init_required = false) {
    const std::string ccid = name + ":0123abcd";
    lifecycle.defined[name] = Info(ccid, init_required);
    runtime.SetScript(ccid, std::move(script));
  }

  // Commits `value` for `key` in `ns` at version (block, 0).
  void Commit(const std::string& ns, const std::string& key, const std::string& value,
              uint64_t block = 1, std::string metadata = {}) {
    ledger::statedb::UpdateBatch batch;
    batch.Put(ns, key, {value, std::move(metadata), {block, 0}});
    if (!state->ApplyUpdates(batch, block).ok()) throw std::runtime_error("commit failed");
  }

  Run Execute(const std::string& name, std::vector<std::string> args,
              const std::string& tx_id = "tx1", bool is_init = false) {
    return ExecuteOn(ledger::NewTxSimulator(*state), name, std::move(args), tx_id, is_init);
  }

  Run ExecuteOn(std::unique_ptr<ledger::TxSimulator> simulator, const std::string& name,
                std::vector<std::string> args, const std::string& tx_id = "tx1",
                bool is_init = false) {
    ccs::TransactionParams params;
    params.tx_id = tx_id;
    params.channel_id = kChannel;
    params.signed_proposal = &proposal;
    params.simulator = simulator.get();
    ::protos::ChaincodeInput input;
    for (auto& arg : args) input.add_args(arg);
    input.set_is_init(is_init);
    Run run{support->Execute(params, name, input), {}};
    auto rwset = simulator->GetTxSimulationResults();
    if (!rwset.ok()) throw std::runtime_error("no simulation results");
    run.rwset = *std::move(rwset);
    return run;
  }
};

::kvrwset::KVRWSet NamespaceSet(const ::rwset::TxReadWriteSet& rwset, const std::string& ns) {
  for (const auto& set : rwset.ns_rwset()) {
    if (set.namespace_() == ns) {
      ::kvrwset::KVRWSet kv;
      if (!kv.ParseFromString(set.rwset())) throw std::runtime_error("bad KVRWSet");
      return kv;
    }
  }
  return {};
}

std::string Key(int i) { return fmt::format("key{:04d}", i); }

}  // namespace

TEST_CASE("A chaincode is launched on first use and answers with its response and event") {
  Fixture f;
  f.Define("basic", [](ScriptedCall& call) {
    ScriptedOutcome outcome = ScriptedOutcome::Ok("hello " + call.Arg(1));
    ::protos::ChaincodeEvent event;
    event.set_event_name("Created");
    event.set_payload("event payload");
    outcome.event = event;
    return outcome;
  });
  Run run = f.Execute("basic", {"Create", "asset1"});
  REQUIRE(run.result.ok());
  CHECK(run.result->response.status() == 200);
  CHECK(run.result->response.payload() == "hello asset1");
  // core/chaincode/chaincode_support.go processChaincodeExecutionResult: the peer
  // fills chaincode_id (the name) and tx_id.
  REQUIRE(run.result->event.has_value());
  CHECK(run.result->event->chaincode_id() == "basic");
  CHECK(run.result->event->tx_id() == "tx1");
  CHECK(run.result->event->event_name() == "Created");
  CHECK(f.runtime.starts("basic:0123abcd") == 1);
  // The TRANSACTION carries the input and the signed proposal (fabric-interop D.5).
  auto received = f.runtime.Received("basic:0123abcd");
  REQUIRE(received.size() >= 3);
  CHECK(received[0].type() == ChaincodeMessage::REGISTERED);
  CHECK(received[1].type() == ChaincodeMessage::READY);
  CHECK(received[2].type() == ChaincodeMessage::TRANSACTION);
  CHECK(received[2].txid() == "tx1");
  CHECK(received[2].channel_id() == kChannel);
  CHECK(received[2].proposal().proposal_bytes() == f.proposal.proposal_bytes());
  CHECK(received[2].proposal().signature() == f.proposal.signature());
  // The Sequence read of the definition is in the rwset.
  auto lifecycle = NamespaceSet(run.rwset, "_lifecycle");
  REQUIRE(lifecycle.reads_size() == 1);
  CHECK(lifecycle.reads(0).key() == "namespaces/fields/basic/Sequence");
  // A second call reuses the running chaincode.
  Run again = f.Execute("basic", {"Create", "asset2"}, "tx2");
  REQUIRE(again.result.ok());
  CHECK(f.runtime.starts("basic:0123abcd") == 1);
  CHECK(f.runtime.Failures().empty());
}

TEST_CASE("State reads and writes land in the rwset as Fabric records them") {
  Fixture f;
  f.Commit("basic", "a", "committed-a", 3);
  f.Commit("basic", "b", "committed-b", 4);
  f.Define("basic", [](ScriptedCall& call) {
    // An absent key is an empty RESPONSE, not an error (handler.go HandleGetState).
    std::string missing = call.GetState("missing");
    std::string a = call.GetState("a");
    call.PutState("a", "new-a");
    // The simulator does not read its own writes.
    std::string a_again = call.GetState("a");
    call.DelState("b");
    call.PutState("c", "");  // an empty value is a delete
    return ScriptedOutcome::Ok(fmt::format("{}|{}|{}", missing, a, a_again));
  });
  Run run = f.Execute("basic", {"go"});
  REQUIRE(run.result.ok());
  CHECK(run.result->response.payload() == "|committed-a|committed-a");
  auto set = NamespaceSet(run.rwset, "basic");
  REQUIRE(set.reads_size() == 2);
  CHECK(set.reads(0).key() == "a");
  CHECK(set.reads(0).version().block_num() == 3);
  CHECK(set.reads(1).key() == "missing");
  CHECK_FALSE(set.reads(1).has_version());
  REQUIRE(set.writes_size() == 3);
  CHECK(set.writes(0).key() == "a");
  CHECK(set.writes(0).value() == "new-a");
  CHECK(set.writes(1).key() == "b");
  CHECK(set.writes(1).is_delete());
  CHECK(set.writes(2).key() == "c");
  CHECK(set.writes(2).is_delete());
  CHECK(f.runtime.Failures().empty());
}

TEST_CASE("A range of 250 keys comes back in batches of 100, 100 and 50") {
  Fixture f;
  for (int i = 0; i < 250; ++i) f.Commit("basic", Key(i), "v" + std::to_string(i), 2);
  auto batches = std::make_shared<std::vector<int>>();
  auto count = std::make_shared<std::size_t>(0);
  f.Define("basic", [batches, count](ScriptedCall& call) {
    *count = call.GetStateByRange(Key(0), "", batches.get()).size();
    return ScriptedOutcome::Ok();
  });
  Run run = f.Execute("basic", {"all"});
  REQUIRE(run.result.ok());
  // query_response_generator.go: batches of MaxResultLimit (100), has_more while more.
  CHECK(*batches == std::vector<int>{100, 100, 50});
  CHECK(*count == 250);
  auto set = NamespaceSet(run.rwset, "basic");
  REQUIRE(set.range_queries_info_size() == 1);
  CHECK(set.range_queries_info(0).start_key() == Key(0));
  CHECK(set.range_queries_info(0).end_key().empty());  // an empty end key is unbounded
  CHECK(set.range_queries_info(0).itr_exhausted());
  CHECK(f.runtime.Failures().empty());
}

TEST_CASE("A range read one batch deep has read one result ahead, as Fabric's peer does") {
  Fixture f;
  for (int i = 0; i < 250; ++i) f.Commit("basic", Key(i), "v", 2);
  auto first = std::make_shared<::protos::QueryResponse>();
  f.Define("basic", [first](ScriptedCall& call) {
    ::protos::GetStateByRange request;
    request.set_startkey(Key(0));
    request.set_endkey(Key(999));
    if (!first->ParseFromString(call.MustRespond(ChaincodeMessage::GET_STATE_BY_RANGE, request))) {
      throw std::runtime_error("no QueryResponse");
    }
    return ScriptedOutcome::Ok();  // stops after the first batch
  });
  Run run = f.Execute("basic", {"first page only"});
  REQUIRE(run.result.ok());
  CHECK(first->results_size() == 100);
  CHECK(first->has_more());
  // The 101st key was read before the first batch was cut (BuildQueryResponse), so
  // the range the transaction depends on ends there and is not exhausted.
  auto set = NamespaceSet(run.rwset, "basic");
  REQUIRE(set.range_queries_info_size() == 1);
  CHECK(set.range_queries_info(0).end_key() == Key(100));
  CHECK_FALSE(set.range_queries_info(0).itr_exhausted());
}

TEST_CASE("Paginated ranges answer one page with the fetched count and the next bookmark") {
  Fixture f;
  for (int i = 0; i < 25; ++i) f.Commit("basic", Key(i), "v", 2);
  auto pages = std::make_shared<std::vector<::protos::QueryResponse>>();
  f.Define("basic", [pages](ScriptedCall& call) {
    std::string bookmark;
    for (int page = 0; page < 3; ++page) {
      ::protos::QueryMetadata metadata;
      metadata.set_pagesize(10);
      metadata.set_bookmark(bookmark);
      ::protos::GetStateByRange request;
      request.set_startkey(Key(0));
      request.set_metadata(metadata.SerializeAsString());
      ::protos::QueryResponse response;
      if (!response.ParseFromString(
              call.MustRespond(ChaincodeMessage::GET_STATE_BY_RANGE, request))) {
        throw std::runtime_error("no QueryResponse");
      }
      ::protos::QueryResponseMetadata answer;
      if (!answer.ParseFromString(response.metadata())) throw std::runtime_error("no metadata");
      bookmark = answer.bookmark();
      pages->push_back(response);
    }
    return ScriptedOutcome::Ok();
  });
  Run run = f.Execute("basic", {"pages"});
  REQUIRE(run.result.ok());
  REQUIRE(pages->size() == 3);
  std::vector<int> sizes;
  std::vector<std::string> bookmarks;
  for (const auto& page : *pages) {
    CHECK_FALSE(page.has_more());
    sizes.push_back(page.results_size());
    ::protos::QueryResponseMetadata metadata;
    REQUIRE(metadata.ParseFromString(page.metadata()));
    CHECK(metadata.fetched_records_count() == page.results_size());
    bookmarks.push_back(metadata.bookmark());
  }
  CHECK(sizes == std::vector<int>{10, 10, 5});
  CHECK(bookmarks == std::vector<std::string>{Key(10), Key(20), ""});
  CHECK(f.runtime.Failures().empty());
}

TEST_CASE("QUERY_STATE_CLOSE succeeds for any id and QUERY_STATE_NEXT fails for an unknown one") {
  Fixture f;
  auto answers = std::make_shared<std::vector<ChaincodeMessage>>();
  f.Define("basic", [answers](ScriptedCall& call) {
    ::protos::QueryStateClose close;
    close.set_id("no-such-iterator");
    answers->push_back(call.Request(ChaincodeMessage::QUERY_STATE_CLOSE, close));
    ::protos::QueryStateNext next;
    next.set_id("no-such-iterator");
    answers->push_back(call.Request(ChaincodeMessage::QUERY_STATE_NEXT, next));
    return ScriptedOutcome::Ok();
  });
  REQUIRE(f.Execute("basic", {"x"}).result.ok());
  REQUIRE(answers->size() == 2);
  CHECK((*answers)[0].type() == ChaincodeMessage::RESPONSE);
  ::protos::QueryResponse closed;
  REQUIRE(closed.ParseFromString((*answers)[0].payload()));
  CHECK(closed.id() == "no-such-iterator");
  CHECK_FALSE(closed.has_more());
  // handler.go HandleQueryStateNext, wrapped by HandleTransaction.
  CHECK((*answers)[1].type() == ChaincodeMessage::ERROR);
  CHECK((*answers)[1].payload() ==
        "QUERY_STATE_NEXT failed: transaction ID: tx1: query iterator not found");
}

TEST_CASE("State metadata, history and GET_STATE_MULTIPLE are served from the simulator") {
  Fixture f;
  // The stored metadata of "a": VALIDATION_PARAMETER = "policy".
  ::kvrwset::KVMetadataWrite stored;
  stored.set_key("a");
  auto* entry = stored.add_entries();
  entry->set_name("VALIDATION_PARAMETER");
  entry->set_value("policy");
  f.Commit("basic", "a", "va", 2, stored.SerializeAsString());
  f.Commit("basic", "b", "vb", 2);
  auto answers = std::make_shared<std::vector<ChaincodeMessage>>();
  f.Define("basic", [answers](ScriptedCall& call) {
    ::protos::GetStateMetadata get;
    get.set_key("a");
    answers->push_back(call.Request(ChaincodeMessage::GET_STATE_METADATA, get));
    ::protos::PutStateMetadata put;
    put.set_key("b");
    put.mutable_metadata()->set_metakey("VALIDATION_PARAMETER");
    put.mutable_metadata()->set_value("new policy");
    answers->push_back(call.Request(ChaincodeMessage::PUT_STATE_METADATA, put));
    ::protos::GetStateMultiple multiple;
    multiple.add_keys("b");
    multiple.add_keys("nothing");
    multiple.add_keys("a");
    answers->push_back(call.Request(ChaincodeMessage::GET_STATE_MULTIPLE, multiple));
    ::protos::GetHistoryForKey history;
    history.set_key("a");
    answers->push_back(call.Request(ChaincodeMessage::GET_HISTORY_FOR_KEY, history));
    return ScriptedOutcome::Ok();
  });
  Run run = f.Execute("basic", {"x"});
  REQUIRE(run.result.ok());
  REQUIRE(answers->size() == 4);
  ::protos::StateMetadataResult metadata;
  REQUIRE((*answers)[0].type() == ChaincodeMessage::RESPONSE);
  REQUIRE(metadata.ParseFromString((*answers)[0].payload()));
  REQUIRE(metadata.entries_size() == 1);
  CHECK(metadata.entries(0).metakey() == "VALIDATION_PARAMETER");
  CHECK(metadata.entries(0).value() == "policy");
  CHECK((*answers)[1].type() == ChaincodeMessage::RESPONSE);
  ::protos::GetStateMultipleResult values;
  REQUIRE((*answers)[2].type() == ChaincodeMessage::RESPONSE);
  REQUIRE(values.ParseFromString((*answers)[2].payload()));
  CHECK(std::vector<std::string>(values.values().begin(), values.values().end()) ==
        std::vector<std::string>{"vb", "", "va"});
  // This simulator has no history database: handler.go's message.
  CHECK((*answers)[3].type() == ChaincodeMessage::ERROR);
  CHECK((*answers)[3].payload() ==
        "GET_HISTORY_FOR_KEY failed: transaction ID: tx1: history database is not enabled");
  auto set = NamespaceSet(run.rwset, "basic");
  REQUIRE(set.metadata_writes_size() == 1);
  CHECK(set.metadata_writes(0).key() == "b");
  REQUIRE(set.metadata_writes(0).entries_size() == 1);
  CHECK(set.metadata_writes(0).entries(0).name() == "VALIDATION_PARAMETER");
  CHECK(set.metadata_writes(0).entries(0).value() == "new policy");
}

TEST_CASE(
    "State metadata needs the key-level endorsement capability (V1_3 or later) of the channel, as "
    "Fabric's checkMetadataCap") {
  struct Channel {
    std::string name;
    std::set<std::string> capabilities;
    std::string error;  // empty: the metadata requests are served
  };
  // handler.go checkMetadataCap, under HandleTransaction's "<TYPE> failed: transaction
  // ID: <tx>: " prefix.
  const std::string disabled =
      "key level endorsement is not enabled, channel application capability of V1_3 or later "
      "is required";
  const std::vector<Channel> channels = {{"V1_2 only", {"V1_2"}, disabled},
                                         {"V1_3", {"V1_3"}, ""},
                                         {"V2_5", {"V2_5"}, ""},
                                         {"no application config", {}, "missing"}};
  for (const Channel& channel : channels) {
    INFO(channel.name);
    Fixture::Options options;
    const bool missing = channel.error == "missing";
    options.application_capabilities =
        [&channel, missing](std::string_view) -> weft::StatusOr<std::set<std::string>> {
      if (missing) return absl::NotFoundError("no application config");
      return channel.capabilities;
    };
    Fixture f(options);
    auto answers = std::make_shared<std::vector<ChaincodeMessage>>();
    f.Define("basic", [answers](ScriptedCall& call) {
      ::protos::GetStateMetadata get;
      get.set_key("a");
      answers->push_back(call.Request(ChaincodeMessage::GET_STATE_METADATA, get));
      ::protos::PutStateMetadata put;
      put.set_key("a");
      put.mutable_metadata()->set_metakey("VALIDATION_PARAMETER");
      put.mutable_metadata()->set_value("policy");
      answers->push_back(call.Request(ChaincodeMessage::PUT_STATE_METADATA, put));
      return ScriptedOutcome::Ok();
    });
    Run run = f.Execute("basic", {"x"});
    REQUIRE(run.result.ok());
    REQUIRE(answers->size() == 2);
    if (channel.error.empty()) {
      CHECK((*answers)[0].type() == ChaincodeMessage::RESPONSE);
      CHECK((*answers)[1].type() == ChaincodeMessage::RESPONSE);
      CHECK(NamespaceSet(run.rwset, "basic").metadata_writes_size() == 1);
      continue;
    }
    const std::string reason =
        missing ? "application config does not exist for " + std::string(kChannel) : disabled;
    CHECK((*answers)[0].type() == ChaincodeMessage::ERROR);
    CHECK((*answers)[0].payload() == "GET_STATE_METADATA failed: transaction ID: tx1: " + reason);
    CHECK((*answers)[1].type() == ChaincodeMessage::ERROR);
    CHECK((*answers)[1].payload() == "PUT_STATE_METADATA failed: transaction ID: tx1: " + reason);
    CHECK(NamespaceSet(run.rwset, "basic").metadata_writes_size() == 0);
  }
}

TEST_CASE("GET_HISTORY_FOR_KEY answers a peer ledger's history newest first") {
  Fixture f;
  weft::testing::TempDir dir("weft-ccs-ledger");
  ledger::LedgerManager manager(dir.path());
  auto peer_ledger = weft::testing::ValueOrThrow(
      manager.CreateLedger(weft::testing::GenesisBlock(kChannel)), "ledger");
  for (const std::string value : {"v1", "v2"}) {
    ledger::rwset::RwSetBuilder builder;
    builder.AddWrite("basic", "asset1", value);
    auto info = peer_ledger->GetBlockchainInfo();
    auto block = weft::testing::LedgerBlock(
        info.height, info.current_block_hash,
        {weft::testing::EndorserTxEnvelope(kChannel, "tx-" + value, builder.Build(), 5)});
    REQUIRE(peer_ledger->CommitBlock(block, {::protos::VALID}).ok());
  }
  auto answer = std::make_shared<::protos::QueryResponse>();
  f.Define("basic", [answer](ScriptedCall& call) {
    ::protos::GetHistoryForKey history;
    history.set_key("asset1");
    if (!answer->ParseFromString(
            call.MustRespond(ChaincodeMessage::GET_HISTORY_FOR_KEY, history))) {
      throw std::runtime_error("no QueryResponse");
    }
    return ScriptedOutcome::Ok();
  });
  Run run = f.ExecuteOn(peer_ledger->NewTxSimulator(), "basic", {"history"}, "tx3");
  REQUIRE(run.result.ok());
  CHECK_FALSE(answer->has_more());
  std::vector<std::string> seen;
  for (const auto& result : answer->results()) {
    ::queryresult::KeyModification modification;
    REQUIRE(modification.ParseFromString(result.resultbytes()));
    seen.push_back(modification.tx_id() + "=" + modification.value());
    CHECK(modification.has_timestamp());  // fabric-shim reads it unconditionally
  }
  CHECK(seen == std::vector<std::string>{"tx-v2=v2", "tx-v1=v1"});
  // A history query records nothing in the rwset (Fabric's history executor).
  CHECK(NamespaceSet(run.rwset, "basic").reads_size() == 0);
}

TEST_CASE("WRITE_BATCH_STATE applies its records in order (Fabric 3.x)") {
  Fixture f;
  f.Commit("basic", "gone", "old", 2);
  f.Define("basic", [](ScriptedCall& call) {
    ::protos::WriteBatchState batch;
    auto* put = batch.add_rec();
    put->set_type(::protos::WriteRecord::PUT_STATE);
    put->set_key("a");
    put->set_value("1");
    auto* del = batch.add_rec();
    del->set_type(::protos::WriteRecord::DEL_STATE);
    del->set_key("gone");
    auto* meta = batch.add_rec();
    meta->set_type(::protos::WriteRecord::PUT_STATE_METADATA);
    meta->set_key("a");
    meta->mutable_metadata()->set_metakey("VALIDATION_PARAMETER");
    meta->mutable_metadata()->set_value("policy");
    call.MustRespond(ChaincodeMessage::WRITE_BATCH_STATE, batch);
    return ScriptedOutcome::Ok();
  });
  Run run = f.Execute("basic", {"batch"});
  REQUIRE(run.result.ok());
  auto set = NamespaceSet(run.rwset, "basic");
  REQUIRE(set.writes_size() == 2);
  CHECK(set.writes(0).key() == "a");
  CHECK(set.writes(0).value() == "1");
  CHECK(set.writes(1).key() == "gone");
  CHECK(set.writes(1).is_delete());
  REQUIRE(set.metadata_writes_size() == 1);
  CHECK(set.metadata_writes(0).key() == "a");
  CHECK(f.runtime.Failures().empty());
}

TEST_CASE("Rich queries answer LevelDB's refusal and private data names its collection") {
  Fixture f;
  auto answers = std::make_shared<std::vector<ChaincodeMessage>>();
  f.Define("basic", [answers](ScriptedCall& call) {
    ::protos::GetQueryResult query;
    query.set_query(R"({"selector":{}})");
    answers->push_back(call.Request(ChaincodeMessage::GET_QUERY_RESULT, query));
    ::protos::GetState get;
    get.set_key("k");
    get.set_collection("secrets");
    answers->push_back(call.Request(ChaincodeMessage::GET_STATE, get));
    ::protos::PutState put;
    put.set_key("k");
    put.set_value("v");
    put.set_collection("secrets");
    answers->push_back(call.Request(ChaincodeMessage::PUT_STATE, put));
    return ScriptedOutcome::Ok();
  });
  Run run = f.Execute("basic", {"x"});
  REQUIRE(run.result.ok());
  REQUIRE(answers->size() == 3);
  // stateleveldb.go ExecuteQuery.
  CHECK((*answers)[0].type() == ChaincodeMessage::ERROR);
  CHECK((*answers)[0].payload() ==
        "GET_QUERY_RESULT failed: transaction ID: tx1: ExecuteQuery not supported for leveldb");
  for (int i : {1, 2}) {
    CHECK((*answers)[i].type() == ChaincodeMessage::ERROR);
    CHECK_THAT((*answers)[i].payload(), Catch::Contains("collection secrets"));
  }
  CHECK(NamespaceSet(run.rwset, "basic").writes_size() == 0);
}

TEST_CASE("A chaincode's ERROR and a chaincode's failure status come back as Fabric's") {
  Fixture f;
  f.Define("basic", [](ScriptedCall& call) {
    if (call.Arg(0) == "throw") {
      ScriptedOutcome outcome;
      outcome.ending = ScriptedOutcome::Ending::kError;
      outcome.error_text = "could not decode the proposal";
      return outcome;
    }
    return ScriptedOutcome::Fail(500, "asset asset9 does not exist");
  });
  Run failed = f.Execute("basic", {"read"});
  REQUIRE(failed.result.ok());
  CHECK(failed.result->response.status() == 500);
  CHECK(failed.result->response.message() == "asset asset9 does not exist");
  Run error = f.Execute("basic", {"throw"}, "tx2");
  REQUIRE_FALSE(error.result.ok());
  // chaincode_support.go processChaincodeExecutionResult (no tx id prefix on this path).
  CHECK(std::string(error.result.status().message()) ==
        "transaction returned with failure: could not decode the proposal");
}

TEST_CASE("A chaincode calls another on the same channel through the shared simulator") {
  Fixture f;
  f.Commit("callee", "counter", "41", 5);
  f.Define("callee", [](ScriptedCall& call) {
    int counter = std::stoi(call.GetState("counter"));
    call.PutState("counter", std::to_string(counter + 1));
    return ScriptedOutcome::Ok("callee saw " + call.Arg(0));
  });
  f.Define("caller", [](ScriptedCall& call) {
    call.PutState("mine", "x");
    ::protos::ChaincodeSpec spec;
    spec.mutable_chaincode_id()->set_name("callee");
    spec.mutable_input()->add_args("increment");
    ChaincodeMessage completed;
    if (!completed.ParseFromString(call.MustRespond(ChaincodeMessage::INVOKE_CHAINCODE, spec))) {
      throw std::runtime_error("INVOKE_CHAINCODE answered no ChaincodeMessage");
    }
    ::protos::Response response;
    if (completed.type() != ChaincodeMessage::COMPLETED ||
        !response.ParseFromString(completed.payload())) {
      throw std::runtime_error("the callee did not complete");
    }
    return ScriptedOutcome::Ok(response.payload());
  });
  Run run = f.Execute("caller", {"go"});
  REQUIRE(run.result.ok());
  CHECK(run.result->response.payload() == "callee saw increment");
  // Both namespaces' reads and writes are in the one rwset (handler.go HandleInvokeChaincode).
  auto callee = NamespaceSet(run.rwset, "callee");
  REQUIRE(callee.writes_size() == 1);
  CHECK(callee.writes(0).value() == "42");
  REQUIRE(callee.reads_size() == 1);
  CHECK(callee.reads(0).version().block_num() == 5);
  CHECK(NamespaceSet(run.rwset, "caller").writes_size() == 1);
  // The callee got the caller's tx id and signed proposal.
  auto received = f.runtime.Received("callee:0123abcd");
  REQUIRE(received.size() >= 3);
  REQUIRE(received[2].type() == ChaincodeMessage::TRANSACTION);
  CHECK(received[2].txid() == "tx1");
  CHECK(received[2].proposal().proposal_bytes() == f.proposal.proposal_bytes());
  CHECK(f.runtime.Failures().empty());
}

TEST_CASE("An invocation the chaincode never answers fails with the execute timeout") {
  Fixture::Options options;
  options.execute_timeout = std::chrono::milliseconds(300);
  Fixture f(options);
  f.Define("basic", [](ScriptedCall& call) {
    if (call.Arg(0) == "hang") {
      ScriptedOutcome outcome;
      outcome.ending = ScriptedOutcome::Ending::kNoAnswer;
      return outcome;
    }
    return ScriptedOutcome::Ok("fine");
  });
  Run run = f.Execute("basic", {"hang"});
  REQUIRE_FALSE(run.result.ok());
  CHECK_THAT(std::string(run.result.status().message()),
             Catch::Contains("timeout expired while executing transaction"));
  // The chaincode stays registered and serves the next transaction.
  Run next = f.Execute("basic", {"ok"}, "tx2");
  REQUIRE(next.result.ok());
  CHECK(next.result->response.payload() == "fine");
  CHECK(f.runtime.starts("basic:0123abcd") == 1);
}

TEST_CASE("A chaincode that dies mid-transaction fails it and is launched again on next use") {
  Fixture f;
  f.Define("basic", [](ScriptedCall& call) {
    if (call.Arg(0) == "die") {
      call.PutState("half", "done");
      ScriptedOutcome outcome;
      outcome.ending = ScriptedOutcome::Ending::kDie;
      return outcome;
    }
    return ScriptedOutcome::Ok("alive");
  });
  Run died = f.Execute("basic", {"die"});
  REQUIRE_FALSE(died.result.ok());
  CHECK_THAT(std::string(died.result.status().message()),
             Catch::Contains("chaincode stream terminated"));
  REQUIRE(weft::testing::WaitUntil([&] { return !f.support->IsRegistered("basic:0123abcd"); }));
  Run next = f.Execute("basic", {"again"}, "tx2");
  REQUIRE(next.result.ok());
  CHECK(next.result->response.payload() == "alive");
  CHECK(f.runtime.starts("basic:0123abcd") == 2);
}

TEST_CASE("Many transactions run at once on one chaincode") {
  Fixture f;
  f.Define("basic", [](ScriptedCall& call) {
    call.PutState(call.Arg(0), call.GetState(call.Arg(0)) + "+");
    return ScriptedOutcome::Ok(call.Arg(0));
  });
  constexpr int kTransactions = 8;
  std::vector<std::unique_ptr<weft::testing::WorkerThread>> workers;
  for (int i = 0; i < kTransactions; ++i) {
    workers.push_back(
        std::make_unique<weft::testing::WorkerThread>([&f, i](weft::testing::FailureLog& log) {
          const std::string key = "k" + std::to_string(i);
          Run run = f.Execute("basic", {key}, "tx" + std::to_string(i));
          if (!log.ExpectOk(run.result.status(), key)) return;
          log.Expect(run.result->response.payload() == key, "wrong payload for " + key);
          log.Expect(NamespaceSet(run.rwset, "basic").writes_size() == 1, "no write for " + key);
        }));
  }
  for (auto& worker : workers) REQUIRE(worker->Join() == weft::testing::kNoFailures);
  CHECK(f.runtime.starts("basic:0123abcd") == 1);
  CHECK(f.runtime.Failures().empty());
}

TEST_CASE("A second execution of the same channel and tx id on one chaincode is refused") {
  Fixture f;
  auto release = std::make_shared<std::promise<void>>();
  auto released = release->get_future().share();
  f.Define("basic", [released](ScriptedCall& call) {
    if (call.Arg(0) == "slow") released.wait_for(weft::testing::kHangGuard);
    return ScriptedOutcome::Ok(call.Arg(0));
  });
  REQUIRE(f.Execute("basic", {"warm up"}, "tx0").result.ok());
  auto first = std::async(std::launch::async, [&f] { return f.Execute("basic", {"slow"}, "dup"); });
  REQUIRE(weft::testing::WaitUntil([&] {
    for (const auto& message : f.runtime.Received("basic:0123abcd")) {
      if (message.txid() == "dup") return true;
    }
    return false;
  }));
  Run second = f.Execute("basic", {"again"}, "dup");
  release->set_value();
  REQUIRE_FALSE(second.result.ok());
  // transaction_contexts.go Create.
  CHECK_THAT(std::string(second.result.status().message()),
             Catch::Contains("txid: dup(mychannel) exists"));
  Run first_run = first.get();
  REQUIRE(first_run.result.ok());
  CHECK(first_run.result->response.payload() == "slow");
}

TEST_CASE(
    "An undefined chaincode, a missing runtime and a chaincode that never registers fail "
    "clearly") {
  SECTION("undefined") {
    Fixture f;
    Run run = f.Execute("nobody", {"x"});
    REQUIRE_FALSE(run.result.ok());
    CHECK_THAT(std::string(run.result.status().message()),
               Catch::Contains("invalid invocation: [channel mychannel] failed to get chaincode "
                               "container info for nobody: chaincode nobody not found"));
  }
  SECTION("no runtime") {
    Fixture::Options options;
    options.with_runtime = false;
    Fixture f(options);
    f.Define("basic", [](ScriptedCall&) { return ScriptedOutcome::Ok(); });
    Run run = f.Execute("basic", {"x"});
    REQUIRE_FALSE(run.result.ok());
    CHECK_THAT(std::string(run.result.status().message()),
               Catch::Contains("could not launch chaincode basic:0123abcd") &&
                   Catch::Contains(ccs::kErrorNoRuntime));
  }
  SECTION("never registers") {
    Fixture::Options options;
    options.startup_timeout = std::chrono::milliseconds(300);
    Fixture f(options);
    f.Define("basic", [](ScriptedCall&) { return ScriptedOutcome::Ok(); });
    f.runtime.NeverRegister("basic:0123abcd");
    Run run = f.Execute("basic", {"x"});
    REQUIRE_FALSE(run.result.ok());
    // runtime_launcher.go Launch.
    CHECK_THAT(std::string(run.result.status().message()),
               Catch::Contains("timeout expired while starting chaincode basic:0123abcd for "
                               "transaction"));
  }
}

TEST_CASE("Private data requests of an Init transaction are refused first, as Fabric's handler") {
  Fixture f;
  auto answers = std::make_shared<std::vector<ChaincodeMessage>>();
  f.Define(
      "basic",
      [answers](ScriptedCall& call) {
        ::protos::GetState get;
        get.set_key("k");
        get.set_collection("secrets");
        answers->push_back(call.Request(ChaincodeMessage::GET_STATE, get));
        answers->push_back(call.Request(ChaincodeMessage::GET_PRIVATE_DATA_HASH, get));
        ::protos::PutState put;
        put.set_key("k");
        put.set_value("v");
        put.set_collection("secrets");
        answers->push_back(call.Request(ChaincodeMessage::PUT_STATE, put));
        return ScriptedOutcome::Ok("done");
      },
      true);
  Run init = f.Execute("basic", {"Init"}, "tx1", true);
  REQUIRE(init.result.ok());
  REQUIRE(answers->size() == 3);
  // handler.go HandleGetState, HandleGetPrivateDataHash, HandlePutState.
  const char* types[] = {"GET_STATE", "GET_PRIVATE_DATA_HASH", "PUT_STATE"};
  for (size_t i = 0; i < answers->size(); ++i) {
    INFO(types[i]);
    CHECK((*answers)[i].type() == ChaincodeMessage::ERROR);
    CHECK((*answers)[i].payload() ==
          std::string(types[i]) +
              " failed: transaction ID: tx1: private data APIs are not allowed in chaincode "
              "Init()");
  }
}

TEST_CASE(
    "INIT is sent for an init-required chaincode called as init, which writes the "
    "initialized key") {
  Fixture f;
  f.Define(
      "basic", [](ScriptedCall&) { return ScriptedOutcome::Ok("done"); }, true);
  Run not_yet = f.Execute("basic", {"Use"});
  REQUIRE_FALSE(not_yet.result.ok());
  // chaincode_support.go CheckInvocation.
  CHECK_THAT(std::string(not_yet.result.status().message()),
             Catch::Contains("chaincode 'basic' has not been initialized for this version, must "
                             "call as init first"));
  Run init = f.Execute("basic", {"Init"}, "tx2", true);
  REQUIRE(init.result.ok());
  auto received = f.runtime.Received("basic:0123abcd");
  REQUIRE_FALSE(received.empty());
  CHECK(received.back().type() == ChaincodeMessage::INIT);
  auto set = NamespaceSet(init.rwset, "basic");
  REQUIRE(set.writes_size() == 1);
  CHECK(set.writes(0).key() == std::string(ccs::kInitializedKeyName));
  CHECK(set.writes(0).value() == "1.0");
}

TEST_CASE("With TLS a chaincode registers over the client certificate issued for it only") {
  Fixture::Options options;
  options.tls = true;
  options.startup_timeout = std::chrono::seconds(2);
  Fixture f(options);
  f.Define("basic", [](ScriptedCall&) { return ScriptedOutcome::Ok("over tls"); });
  Run run = f.Execute("basic", {"x"});
  REQUIRE(run.result.ok());
  CHECK(run.result->response.payload() == "over tls");
  auto connection = f.runtime.last_connection("basic:0123abcd");
  REQUIRE(connection.has_value());
  CHECK(connection->root_cert_pem == f.ca->cert_pem());
  CHECK_FALSE(connection->client_cert_pem.empty());

  // A chaincode presenting basic's certificate under another name is refused
  // (accesscontrol/access.go authenticate), so its launch never completes.
  f.Define("other", [](ScriptedCall&) { return ScriptedOutcome::Ok(); });
  f.runtime.RegisterAs("other:0123abcd", "basic:0123abcd");
  Run refused = f.Execute("other", {"x"}, "tx2");
  REQUIRE_FALSE(refused.result.ok());
  CHECK_THAT(std::string(refused.result.status().message()),
             Catch::Contains("could not launch chaincode other:0123abcd"));
  // The refused launch's own certificate is forgotten once its process is stopped.
  auto other = f.runtime.last_connection("other:0123abcd");
  REQUIRE(other.has_value());
  const std::string other_hash = weft::common::crypto::Sha256(
      weft::testing::ValueOrThrow(
          weft::common::crypto::Certificate::FromPem(other->client_cert_pem), "client certificate")
          .der());
  CHECK(weft::testing::WaitUntil(
      [&] { return !f.ca->Authenticate("other:0123abcd", other_hash).ok(); }));
}

TEST_CASE(
    "The client certificate issued for a launch is forgotten once its connection ends, and a "
    "relaunch gets a new one") {
  Fixture::Options options;
  options.tls = true;
  Fixture f(options);
  f.Define("basic", [](ScriptedCall& call) {
    if (call.Arg(0) == "die") {
      ScriptedOutcome outcome;
      outcome.ending = ScriptedOutcome::Ending::kDie;
      return outcome;
    }
    return ScriptedOutcome::Ok("alive");
  });
  const std::string ccid = "basic:0123abcd";
  REQUIRE(f.Execute("basic", {"x"}).result.ok());
  auto first = f.runtime.last_connection(ccid);
  REQUIRE(first.has_value());
  const std::string first_hash = weft::common::crypto::Sha256(
      weft::testing::ValueOrThrow(
          weft::common::crypto::Certificate::FromPem(first->client_cert_pem), "client certificate")
          .der());
  // Connected: its certificate still authenticates it (accesscontrol/access.go).
  CHECK(f.ca->Authenticate(ccid, first_hash).ok());

  REQUIRE_FALSE(f.Execute("basic", {"die"}, "tx2").result.ok());
  // Fabric's authenticate message once the certificate is gone.
  weft::Status gone;
  CHECK(weft::testing::WaitUntil([&] {
    gone = f.ca->Authenticate(ccid, first_hash);
    return !gone.ok();
  }));
  CHECK_THAT(std::string(gone.message()), Catch::Contains("not found in registry"));

  REQUIRE(weft::testing::WaitUntil([&] { return !f.support->IsRegistered(ccid); }));
  Run next = f.Execute("basic", {"again"}, "tx3");
  INFO(next.result.status().ToString());
  REQUIRE(next.result.ok());
  CHECK(next.result->response.payload() == "alive");
  auto second = f.runtime.last_connection(ccid);
  REQUIRE(second.has_value());
  CHECK(second->client_cert_pem != first->client_cert_pem);
}

TEST_CASE("A client pair is issued for a real package ID, longer than a certificate's CN") {
  // persistence.PackageID: "<label>:<hex SHA-256>", 74 characters here.
  const std::string ccid = "basic_1.0:" + std::string(64, 'a');
  auto ca = weft::testing::ValueOrThrow(ccs::ChaincodeCa::Create(), "chaincode CA");
  auto pair = ca->IssueClientPair(ccid);
  INFO(pair.status().ToString());
  REQUIRE(pair.ok());
  auto cert = weft::testing::ValueOrThrow(
      weft::common::crypto::Certificate::FromPem(pair->cert_pem), "client certificate");
  CHECK(ca->Authenticate(ccid, cert.fingerprint()).ok());
  CHECK_FALSE(ca->Authenticate("other:0123abcd", cert.fingerprint()).ok());
}

TEST_CASE("A chaincode as a service is dialled through Connect and dialled again after it ends") {
  Fixture f;
  weft::testing::ScriptedChaincodeServer server("basic:0123abcd", [](ScriptedCall& call) {
    if (call.Arg(0) == "die") {
      ScriptedOutcome outcome;
      outcome.ending = ScriptedOutcome::Ending::kDie;
      return outcome;
    }
    call.PutState("served", "by ccaas");
    return ScriptedOutcome::Ok("as a service");
  });
  f.Define("basic", [](ScriptedCall&) { return ScriptedOutcome::Fail(500, "not this one"); });
  ccs::ChaincodeServerInfo info;
  info.address = server.address();
  f.runtime.ServeAt("basic:0123abcd", info);
  Run run = f.Execute("basic", {"go"});
  REQUIRE(run.result.ok());
  CHECK(run.result->response.payload() == "as a service");
  CHECK(NamespaceSet(run.rwset, "basic").writes_size() == 1);
  CHECK(f.runtime.starts("basic:0123abcd") == 0);  // the peer dials; nothing is started

  Run died = f.Execute("basic", {"die"}, "tx2");
  REQUIRE_FALSE(died.result.ok());
  REQUIRE(weft::testing::WaitUntil([&] { return !f.support->IsRegistered("basic:0123abcd"); }));
  Run again = f.Execute("basic", {"go"}, "tx3");
  REQUIRE(again.result.ok());
  CHECK(again.result->response.payload() == "as a service");
  CHECK(server.connects() >= 1);
  CHECK(server.Failures().empty());
}

TEST_CASE("A chaincode server requiring mutual TLS is dialled with connection.json's material") {
  Fixture f;
  // Any CA serves; the chaincode CA is at hand.
  auto ca = weft::testing::ValueOrThrow(ccs::ChaincodeCa::Create(), "server CA");
  auto server_pair = weft::testing::ValueOrThrow(ca->IssueServerPair("127.0.0.1"), "server pair");
  auto client_pair = weft::testing::ValueOrThrow(ca->IssueClientPair("peer"), "client pair");
  weft::common::settings::TlsSettings tls;
  tls.enabled = true;
  tls.client_auth_required = true;
  tls.certificate_pem = server_pair.cert_pem;
  tls.private_key_pem = server_pair.key_pem;
  tls.client_root_ca_pems = {ca->cert_pem()};
  weft::testing::ScriptedChaincodeServer server(
      "basic:0123abcd", [](ScriptedCall&) { return ScriptedOutcome::Ok("over mutual tls"); }, tls);
  f.Define("basic", [](ScriptedCall&) { return ScriptedOutcome::Fail(500, "not this one"); });

  SECTION("with the client pair") {
    ccs::ChaincodeServerInfo info;
    info.address = server.address();
    info.tls_required = true;
    info.client_auth_required = true;
    info.root_cert_pem = ca->cert_pem();
    info.client_cert_pem = client_pair.cert_pem;
    info.client_key_pem = client_pair.key_pem;
    f.runtime.ServeAt("basic:0123abcd", info);
    Run run = f.Execute("basic", {"go"});
    REQUIRE(run.result.ok());
    CHECK(run.result->response.payload() == "over mutual tls");
  }
  SECTION("without a client certificate the server refuses the peer") {
    ccs::ChaincodeServerInfo info;
    info.address = server.address();
    info.tls_required = true;
    info.root_cert_pem = ca->cert_pem();
    info.dial_timeout = std::chrono::milliseconds(500);
    f.runtime.ServeAt("basic:0123abcd", info);
    Run run = f.Execute("basic", {"go"});
    REQUIRE_FALSE(run.result.ok());
    CHECK_THAT(std::string(run.result.status().message()),
               Catch::Contains("could not launch chaincode basic:0123abcd"));
  }
}

TEST_CASE("A chaincode the peer did not launch is refused at REGISTER") {
  Fixture f;
  ccs::PeerConnection connection;
  connection.address = fmt::format("127.0.0.1:{}", f.listener->port());
  // handler_registry.go Register: no launch in progress for this id (not dev mode).
  weft::testing::ScriptedChaincode stray("stray:1", connection,
                                         [](ScriptedCall&) { return ScriptedOutcome::Ok(); });
  REQUIRE(weft::testing::WaitUntil([&] { return stray.ended(); }));
  CHECK_FALSE(f.support->IsRegistered("stray:1"));
  for (const auto& message : stray.Received()) {
    CHECK(message.type() != ChaincodeMessage::REGISTERED);
  }
}

TEST_CASE("A chaincode server that cannot be reached fails the launch with its address") {
  Fixture f;
  f.Define("basic", [](ScriptedCall&) { return ScriptedOutcome::Ok(); });
  ccs::ChaincodeServerInfo info;
  info.address = "127.0.0.1:1";
  info.dial_timeout = std::chrono::milliseconds(200);
  f.runtime.ServeAt("basic:0123abcd", info);
  Run run = f.Execute("basic", {"go"});
  REQUIRE_FALSE(run.result.ok());
  CHECK_THAT(
      std::string(run.result.status().message()),
      Catch::Contains("connection to basic:0123abcd failed") && Catch::Contains("127.0.0.1:1"));
}

TEST_CASE(
    "The definition lifecycle reads the Sequence in the simulation and needs an installed "
    "package") {
  auto state = weft::testing::OpenTempStateDb();
  // Store basic's definition (sequence 3, version 2.0) as _lifecycle does.
  weft::peer::lifecycle::ChaincodeDefinition definition;
  definition.sequence = 3;
  definition.endorsement_info.set_version("2.0");
  definition.endorsement_info.set_endorsement_plugin("escc");
  weft::testing::StoreChaincodeDefinition(*state, "basic", definition, 7);

  auto lifecycle = ccs::NewDefinitionLifecycle([](std::string_view, std::string_view name,
                                                  const std::string& version,
                                                  int64_t) -> std::optional<std::string> {
    if (name != "basic") return std::nullopt;
    return "basic_" + version + ":feed";
  });
  auto simulator = ledger::NewTxSimulator(*state);
  auto info = lifecycle->GetEndorsementInfo(kChannel, "basic", *simulator);
  REQUIRE(info.ok());
  CHECK(info->version == "2.0");
  CHECK(info->endorsement_plugin == "escc");
  CHECK(info->chaincode_id == "basic_2.0:feed");
  auto missing = lifecycle->GetEndorsementInfo(kChannel, "nobody", *simulator);
  REQUIRE_FALSE(missing.ok());
  CHECK(std::string(missing.status().message()) == "chaincode nobody not found");
  auto rwset = simulator->GetTxSimulationResults();
  REQUIRE(rwset.ok());
  auto reads = NamespaceSet(*rwset, "_lifecycle");
  std::vector<std::string> keys;
  for (const auto& read : reads.reads()) keys.push_back(read.key());
  CHECK(keys == std::vector<std::string>{"namespaces/fields/basic/EndorsementInfo",
                                         "namespaces/fields/basic/Sequence",
                                         "namespaces/fields/nobody/Sequence"});

  // With an unrecorded reader for the other fields only the Sequence is in the rwset,
  // as Fabric's (which takes them from its cache).
  auto quiet = ccs::NewDefinitionLifecycle(
      [](std::string_view, std::string_view, const std::string& version,
         int64_t sequence) -> std::optional<std::string> {
        return fmt::format("basic_{}_{}:feed", version, sequence);
      },
      [&state](std::string_view) -> weft::StatusOr<std::unique_ptr<ledger::QueryExecutor>> {
        return ledger::NewQueryExecutor(*state);
      });
  auto quiet_simulator = ledger::NewTxSimulator(*state);
  auto quiet_info = quiet->GetEndorsementInfo(kChannel, "basic", *quiet_simulator);
  REQUIRE(quiet_info.ok());
  CHECK(quiet_info->chaincode_id == "basic_2.0_3:feed");
  auto quiet_rwset = quiet_simulator->GetTxSimulationResults();
  REQUIRE(quiet_rwset.ok());
  auto quiet_reads = NamespaceSet(*quiet_rwset, "_lifecycle");
  REQUIRE(quiet_reads.reads_size() == 1);
  CHECK(quiet_reads.reads(0).key() == "namespaces/fields/basic/Sequence");
  CHECK(quiet_reads.reads(0).version().block_num() == 7);

  // A resolver's error is the answer (e.g. not approved by this org).
  auto unapproved =
      ccs::NewDefinitionLifecycle([](std::string_view, std::string_view, const std::string&,
                                     int64_t) -> weft::StatusOr<std::optional<std::string>> {
        return absl::FailedPreconditionError(
            "chaincode definition for 'basic' at sequence 3 on channel 'mychannel' has not yet "
            "been approved by this org");
      });
  auto unapproved_simulator = ledger::NewTxSimulator(*state);
  auto unapproved_info = unapproved->GetEndorsementInfo(kChannel, "basic", *unapproved_simulator);
  REQUIRE_FALSE(unapproved_info.ok());
  CHECK_THAT(std::string(unapproved_info.status().message()),
             Catch::Contains("has not yet been approved by this org"));

  auto not_installed = ccs::NewDefinitionLifecycle(nullptr);
  auto other = ledger::NewTxSimulator(*state);
  auto refused = not_installed->GetEndorsementInfo(kChannel, "basic", *other);
  REQUIRE_FALSE(refused.ok());
  // lifecycle/endorsement_info.go CachedChaincodeInfo.
  CHECK(std::string(refused.status().message()) ==
        "chaincode definition for 'basic' exists, but chaincode is not installed");
}

TEST_CASE("The cached definition lifecycle reads only the Sequence and asks the cache at it") {
  // lifecycle/endorsement_info.go CachedChaincodeInfo: the Sequence through the
  // simulation, everything else from the lifecycle cache.
  auto state = weft::testing::OpenTempStateDb();
  weft::peer::lifecycle::ChaincodeDefinition definition;
  definition.sequence = 3;
  definition.endorsement_info.set_version("2.0");
  weft::testing::StoreChaincodeDefinition(*state, "basic", definition, 7);

  std::vector<std::pair<std::string, int64_t>> asked;
  auto lifecycle = ccs::NewCachedDefinitionLifecycle(
      [&asked](std::string_view, std::string_view name,
               int64_t sequence) -> weft::StatusOr<ccs::ChaincodeEndorsementInfo> {
        asked.emplace_back(std::string(name), sequence);
        if (name == "unapproved") {
          return absl::FailedPreconditionError(
              "chaincode definition for 'unapproved' at sequence 3 on channel 'mychannel' has "
              "not yet been approved by this org");
        }
        ccs::ChaincodeEndorsementInfo info;
        info.version = "cached";
        info.endorsement_plugin = "escc";
        info.enforce_init = true;
        if (name == "basic") info.chaincode_id = "basic_2.0:feed";
        return info;
      });
  weft::testing::StoreChaincodeDefinition(*state, "unapproved", definition, 8);
  weft::testing::StoreChaincodeDefinition(*state, "uninstalled", definition, 9);
  auto simulator = ledger::NewTxSimulator(*state);
  auto info = lifecycle->GetEndorsementInfo(kChannel, "basic", *simulator);
  REQUIRE(info.ok());
  CHECK(info->version == "cached");
  CHECK(info->enforce_init);
  CHECK(info->chaincode_id == "basic_2.0:feed");
  auto unapproved = lifecycle->GetEndorsementInfo(kChannel, "unapproved", *simulator);
  CHECK(std::string(unapproved.status().message()) ==
        "chaincode definition for 'unapproved' at sequence 3 on channel 'mychannel' has not yet "
        "been approved by this org");
  auto uninstalled = lifecycle->GetEndorsementInfo(kChannel, "uninstalled", *simulator);
  CHECK(std::string(uninstalled.status().message()) ==
        "chaincode definition for 'uninstalled' exists, but chaincode is not installed");
  auto missing = lifecycle->GetEndorsementInfo(kChannel, "nobody", *simulator);
  CHECK(std::string(missing.status().message()) == "chaincode nobody not found");
  CHECK(asked == std::vector<std::pair<std::string, int64_t>>{
                     {"basic", 3}, {"unapproved", 3}, {"uninstalled", 3}});

  auto rwset = simulator->GetTxSimulationResults();
  REQUIRE(rwset.ok());
  std::vector<std::string> keys;
  auto reads = NamespaceSet(*rwset, "_lifecycle");
  for (const auto& read : reads.reads()) keys.push_back(read.key());
  CHECK(keys == std::vector<std::string>{"namespaces/fields/basic/Sequence",
                                         "namespaces/fields/nobody/Sequence",
                                         "namespaces/fields/unapproved/Sequence",
                                         "namespaces/fields/uninstalled/Sequence"});
}

TEST_CASE("The chaincode endpoint is computed as Fabric's computeChaincodeEndpoint") {
  CHECK(ccs::ComputeChaincodeEndpoint("cc.example.com:9999", "0.0.0.0:7052", "peer0").value() ==
        "cc.example.com:9999");
  CHECK(ccs::ComputeChaincodeEndpoint("", "10.0.0.5:7052", "peer0").value() == "10.0.0.5:7052");
  CHECK(ccs::ComputeChaincodeEndpoint("", "0.0.0.0:7053", "peer0").value() == "peer0:7053");
  CHECK(ccs::ComputeChaincodeEndpoint("", "", "peer0").value() == "peer0:7052");
  CHECK_FALSE(ccs::ComputeChaincodeEndpoint("0.0.0.0:7052", "", "peer0").ok());
  CHECK_FALSE(ccs::ComputeChaincodeEndpoint("", "0.0.0.0:7052", "0.0.0.0").ok());
  CHECK(ccs::ChaincodeListenAddress("", "peer0") == "peer0:7052");
  CHECK(ccs::ChaincodeListenAddress("127.0.0.1:9052", "peer0") == "127.0.0.1:9052");
}
