// The shim against a fake peer: handshake, the stub's calls and the payloads they
// send (the message layouts of Fabric's chaincode_shim.proto, as
// fabric-chaincode-go shim/handler.go and stub.go fill them), many transactions on
// one stream, and the chaincode server mode.
#include "chaincode-sdk/shim/shim.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <future>
#include <mutex>

#include "chaincode-sdk/shim/chaincode.h"
#include "common/common.pb.h"
#include "common/crypto/hash.h"
#include "peer/chaincode.pb.h"
#include "tests/support/chaincode_session.h"
#include "tests/support/fake_chaincode_peer.h"
#include "tests/support/wait_until.h"
#include "tests/support/worker_thread.h"

namespace shim = weft::chaincode_sdk::shim;
using ::protos::ChaincodeMessage;
using weft::testing::ChaincodeSession;
using weft::testing::FakeChaincodePeer;
using namespace std::string_literals;

namespace {

// Runs the script registered for args[0]; scripts run on the shim's threads and
// only record what they see (tests/README.md).
class ScriptedChaincode final : public shim::Chaincode {
 public:
  using Script = std::function<::protos::Response(shim::ChaincodeStub&)>;
  void On(const std::string& function, Script script) {
    std::lock_guard lock(mu_);
    scripts_[function] = std::move(script);
  }
  ::protos::Response Init(shim::ChaincodeStub& stub) override { return Run("init", stub); }
  ::protos::Response Invoke(shim::ChaincodeStub& stub) override {
    return Run(stub.GetArgs().empty() ? "" : stub.GetArgs().front(), stub);
  }

 private:
  ::protos::Response Run(const std::string& name, shim::ChaincodeStub& stub) {
    Script script;
    {
      std::lock_guard lock(mu_);
      auto it = scripts_.find(name);
      if (it == scripts_.end()) return shim::Error("no script for " + name);
      script = it->second;
    }
    return script(stub);
  }
  std::mutex mu_;
  std::map<std::string, Script> scripts_;
};

std::string Text(const absl::Status& status) {
  return status.ok() ? "OK" : std::string(status.message());
}

::protos::Response FromStatus(const absl::Status& status) {
  return status.ok() ? shim::Success() : shim::Error(std::string(status.message()));
}

template <typename Message>
std::string Bytes(const Message& message) {
  return message.SerializeAsString();
}

// The requests of `txid` as (type, payload) pairs.
std::vector<std::pair<ChaincodeMessage::Type, std::string>> Sent(FakeChaincodePeer& peer,
                                                                 const std::string& txid) {
  std::vector<std::pair<ChaincodeMessage::Type, std::string>> sent;
  for (const auto& request : peer.requests(txid))
    sent.emplace_back(request.type(), request.payload());
  return sent;
}

::protos::GetStateByRange RangeRequest(std::string start, std::string end,
                                       std::string metadata = "") {
  ::protos::GetStateByRange request;
  request.set_startkey(std::move(start));
  request.set_endkey(std::move(end));
  request.set_metadata(std::move(metadata));
  return request;
}

::protos::QueryStateNext NextRequest(const std::string& id) {
  ::protos::QueryStateNext request;
  request.set_id(id);
  return request;
}

}  // namespace

TEST_CASE("The shim registers with its chaincode id and answers a transaction with COMPLETED") {
  ScriptedChaincode chaincode;
  chaincode.On("hello", [](shim::ChaincodeStub& stub) {
    return shim::Success("hi " + stub.GetArgs().at(1));
  });
  ChaincodeSession session(chaincode);
  auto proposal = session.MakeProposal({"hello", "world"});
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id,
                                       {"hello", "world"}, proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->completed());
  // Replies are correlated by channel_id + txid (handler.go transactionContextID).
  CHECK(outcome->message.txid() == proposal.tx_id);
  CHECK(outcome->message.channel_id() == weft::testing::kSessionChannel);
  CHECK(outcome->response.status() == 200);
  CHECK(outcome->response.payload() == "hi world");
  CHECK_FALSE(outcome->message.has_chaincode_event());
  CHECK(session.peer().violations().empty());
}

TEST_CASE(
    "The stub decodes args, ids, creator, transient, timestamp and binding from the proposal") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::string txid, channel, creator, binding, proposal_bytes, function;
  std::vector<std::string> params, args;
  std::map<std::string, std::string> transient;
  google::protobuf::Timestamp timestamp;
  chaincode.On("look", [&](shim::ChaincodeStub& stub) {
    std::lock_guard lock(mu);
    txid = stub.GetTxID();
    channel = stub.GetChannelID();
    creator = stub.GetCreator();
    binding = stub.GetBinding();
    transient = stub.GetTransient();
    timestamp = stub.GetTxTimestamp();
    proposal_bytes = stub.GetSignedProposal().proposal_bytes();
    std::tie(function, params) = stub.GetFunctionAndParameters();
    args = stub.GetStringArgs();
    return shim::Success();
  });
  ChaincodeSession session(chaincode);
  auto proposal = session.MakeProposal({"look", "a", "b"}, {{"secret", "s3cr3t"}});
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id,
                                       {"look", "a", "b"}, proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->completed());

  ::common::Header header;
  REQUIRE(header.ParseFromString(proposal.proposal.header()));
  ::common::ChannelHeader channel_header;
  REQUIRE(channel_header.ParseFromString(header.channel_header()));
  ::common::SignatureHeader signature_header;
  REQUIRE(signature_header.ParseFromString(header.signature_header()));
  // Fabric's binding: SHA-256(nonce || creator || epoch as 8 bytes little endian).
  std::string epoch(8, '\0');
  for (int i = 0; i < 8; ++i)
    epoch[i] = static_cast<char>((channel_header.epoch() >> (8 * i)) & 0xFF);
  const std::string expected_binding =
      weft::common::crypto::Sha256(signature_header.nonce() + signature_header.creator() + epoch);

  std::lock_guard lock(mu);
  CHECK(txid == proposal.tx_id);
  CHECK(channel == weft::testing::kSessionChannel);
  CHECK(creator == session.creator());
  CHECK(binding == expected_binding);
  CHECK(transient == std::map<std::string, std::string>{{"secret", "s3cr3t"}});
  CHECK(timestamp.seconds() == channel_header.timestamp().seconds());
  CHECK(timestamp.nanos() == channel_header.timestamp().nanos());
  CHECK(proposal_bytes == proposal.signed_proposal.proposal_bytes());
  CHECK(function == "look");
  CHECK(params == std::vector<std::string>{"a", "b"});
  CHECK(args == std::vector<std::string>{"look", "a", "b"});
}

TEST_CASE("GetState, PutState and DelState send Fabric's payloads and an absent key reads empty") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::string seen_a, seen_missing, put_empty_key;
  chaincode.On("rw", [&](shim::ChaincodeStub& stub) {
    auto a = stub.GetState("a");
    auto missing = stub.GetState("missing");
    if (!a.ok() || !missing.ok()) return shim::Error("read failed");
    {
      std::lock_guard lock(mu);
      seen_a = *a;
      seen_missing = *missing;
      put_empty_key = Text(stub.PutState("", "x"));
    }
    if (auto s = stub.PutState("b", "2"); !s.ok()) return FromStatus(s);
    if (auto s = stub.PutState("c", ""); !s.ok()) return FromStatus(s);  // a delete
    return FromStatus(stub.DelState("a"));
  });
  ChaincodeSession session(chaincode);
  session.peer().Put("a", "1");
  session.peer().Put("c", "3");
  auto proposal = session.MakeProposal({"rw"});
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"rw"},
                                       proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->response.status() == 200);
  {
    std::lock_guard lock(mu);
    CHECK(seen_a == "1");
    CHECK(seen_missing.empty());
    // fabric-chaincode-go stub.go putState.
    CHECK(put_empty_key == "key must not be an empty string");
  }
  ::protos::GetState get_a, get_missing;
  get_a.set_key("a");
  get_missing.set_key("missing");
  ::protos::PutState put_b, put_c;
  put_b.set_key("b");
  put_b.set_value("2");
  put_c.set_key("c");
  ::protos::DelState del_a;
  del_a.set_key("a");
  CHECK(Sent(session.peer(), proposal.tx_id) ==
        std::vector<std::pair<ChaincodeMessage::Type, std::string>>{
            {ChaincodeMessage::GET_STATE, Bytes(get_a)},
            {ChaincodeMessage::GET_STATE, Bytes(get_missing)},
            {ChaincodeMessage::PUT_STATE, Bytes(put_b)},
            {ChaincodeMessage::PUT_STATE, Bytes(put_c)},
            {ChaincodeMessage::DEL_STATE, Bytes(del_a)},
        });
  for (const auto& request : session.peer().requests(proposal.tx_id)) {
    CHECK(request.channel_id() == weft::testing::kSessionChannel);
  }
  CHECK(session.peer().state() == std::map<std::string, std::string>{{"b", "2"}});
  CHECK(session.peer().violations().empty());
}

TEST_CASE("An ERROR from the peer surfaces as a status carrying the peer's message") {
  ScriptedChaincode chaincode;
  std::atomic<int> code{-1};
  chaincode.On("get", [&](shim::ChaincodeStub& stub) {
    auto value = stub.GetState("k");
    code = static_cast<int>(value.status().code());
    return value.ok() ? shim::Success(*value) : shim::Error(std::string(value.status().message()));
  });
  ChaincodeSession session(chaincode);
  session.peer().FailNext(ChaincodeMessage::GET_STATE, "GET_STATE failed: ledger is closed");
  auto outcome = session.Invoke({"get"});
  REQUIRE(outcome.completed());
  CHECK(outcome.response.status() == 500);
  CHECK(outcome.response.message() == "GET_STATE failed: ledger is closed");
  CHECK(code == static_cast<int>(absl::StatusCode::kUnknown));
}

TEST_CASE(
    "GetStateByRange sends \\x01 for an empty start key and follows has_more with "
    "QUERY_STATE_NEXT") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::vector<std::string> keys;
  std::string failure, close_status;
  chaincode.On("all", [&](shim::ChaincodeStub& stub) {
    auto iterator = stub.GetStateByRange("", "");
    if (!iterator.ok()) return FromStatus(iterator.status());
    std::lock_guard lock(mu);
    while ((*iterator)->HasNext()) {
      auto kv = (*iterator)->Next();
      if (!kv.ok()) {
        failure = Text(kv.status());
        break;
      }
      keys.push_back(kv->key() + "=" + kv->value());
    }
    failure += Text((*iterator)->Next().status());  // past the end
    close_status = Text((*iterator)->Close());
    return shim::Success();
  });
  FakeChaincodePeer::Options options;
  options.batch_size = 2;
  ChaincodeSession session(chaincode, options);
  for (std::string key : {"k1", "k2", "k3", "k4", "k5"}) session.peer().Put(key, "v" + key);
  session.peer().Put("\0idx\0a\0"s, "composite");  // outside the simple-key range
  auto proposal = session.MakeProposal({"all"});
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"all"},
                                       proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->response.status() == 200);
  std::lock_guard lock(mu);
  CHECK(keys == std::vector<std::string>{"k1=vk1", "k2=vk2", "k3=vk3", "k4=vk4", "k5=vk5"});
  CHECK(failure == "iterator iterator-1 has no more results");
  CHECK(close_status == "OK");
  ::protos::QueryStateClose close;
  close.set_id("iterator-1");
  // Go's CommonIterator fetches the next batch when the last cached result is taken.
  CHECK(Sent(session.peer(), proposal.tx_id) ==
        std::vector<std::pair<ChaincodeMessage::Type, std::string>>{
            {ChaincodeMessage::GET_STATE_BY_RANGE, Bytes(RangeRequest("\x01", ""))},
            {ChaincodeMessage::QUERY_STATE_NEXT, Bytes(NextRequest("iterator-1"))},
            {ChaincodeMessage::QUERY_STATE_NEXT, Bytes(NextRequest("iterator-1"))},
            {ChaincodeMessage::QUERY_STATE_CLOSE, Bytes(close)},
        });
}

TEST_CASE("Range keys starting with U+0000 are refused by the stub before anything is sent") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::string refused_start, refused_end;
  chaincode.On("bad", [&](shim::ChaincodeStub& stub) {
    std::lock_guard lock(mu);
    refused_start = Text(stub.GetStateByRange("\0a"s, "z").status());
    refused_end = Text(stub.GetStateByRangeWithPagination("a", "\0z"s, 2, "").status());
    return shim::Success();
  });
  ChaincodeSession session(chaincode);
  auto outcome = session.Invoke({"bad"});
  REQUIRE(outcome.response.status() == 200);
  std::lock_guard lock(mu);
  // fabric-chaincode-go stub.go validateSimpleKeys.
  CHECK(refused_start ==
        "first character of the key [\0a] contains a null character which is not allowed"s);
  CHECK(refused_end ==
        "first character of the key [\0z] contains a null character which is not allowed"s);
  CHECK(session.peer().requests().empty());
}

TEST_CASE("GetStateByRangeWithPagination sends QueryMetadata and returns the page's bookmark") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::vector<std::string> pages;
  chaincode.On("page", [&](shim::ChaincodeStub& stub) {
    const std::string bookmark = stub.GetArgs().at(1);
    auto page = stub.GetStateByRangeWithPagination("a", "z", 2, bookmark);
    if (!page.ok()) return FromStatus(page.status());
    std::string seen;
    while (page->iterator->HasNext()) {
      auto kv = page->iterator->Next();
      if (!kv.ok()) return FromStatus(kv.status());
      seen += kv->key() + ",";
    }
    std::lock_guard lock(mu);
    pages.push_back(seen + " count=" + std::to_string(page->metadata.fetched_records_count()) +
                    " bookmark=" + page->metadata.bookmark());
    return shim::Success();
  });
  ChaincodeSession session(chaincode);
  for (std::string key : {"a", "b", "c", "d", "e"}) session.peer().Put(key, key);
  auto first = session.MakeProposal({"page", ""});
  REQUIRE(
      session.peer()
          .Invoke(weft::testing::kSessionChannel, first.tx_id, {"page", ""}, first.signed_proposal)
          ->response.status() == 200);
  auto second = session.MakeProposal({"page", "c"});
  REQUIRE(session.peer()
              .Invoke(weft::testing::kSessionChannel, second.tx_id, {"page", "c"},
                      second.signed_proposal)
              ->response.status() == 200);
  auto last = session.MakeProposal({"page", "e"});
  REQUIRE(
      session.peer()
          .Invoke(weft::testing::kSessionChannel, last.tx_id, {"page", "e"}, last.signed_proposal)
          ->response.status() == 200);
  {
    std::lock_guard lock(mu);
    CHECK(pages == std::vector<std::string>{"a,b, count=2 bookmark=c", "c,d, count=2 bookmark=e",
                                            "e, count=1 bookmark="});
  }
  ::protos::QueryMetadata metadata;
  metadata.set_pagesize(2);
  metadata.set_bookmark("c");
  CHECK(
      Sent(session.peer(), second.tx_id) ==
      std::vector<std::pair<ChaincodeMessage::Type, std::string>>{
          {ChaincodeMessage::GET_STATE_BY_RANGE, Bytes(RangeRequest("a", "z", Bytes(metadata)))}});
}

TEST_CASE("Partial composite key queries range from the prefix to the prefix and U+10FFFF") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::vector<std::string> found;
  std::string paged_bookmark;
  chaincode.On("blue", [&](shim::ChaincodeStub& stub) {
    auto iterator = stub.GetStateByPartialCompositeKey("color~name", {"blue"});
    if (!iterator.ok()) return FromStatus(iterator.status());
    std::lock_guard lock(mu);
    while ((*iterator)->HasNext()) {
      auto kv = (*iterator)->Next();
      if (!kv.ok()) return FromStatus(kv.status());
      auto parts = stub.SplitCompositeKey(kv->key());
      if (!parts.ok()) return FromStatus(parts.status());
      found.push_back(parts->object_type + ":" + parts->attributes.at(0) + ":" +
                      parts->attributes.at(1));
    }
    auto page = stub.GetStateByPartialCompositeKeyWithPagination("color~name", {}, 1, "");
    if (!page.ok()) return FromStatus(page.status());
    paged_bookmark = page->metadata.bookmark();
    return shim::Success();
  });
  ChaincodeSession session(chaincode);
  for (auto [color, name] : std::vector<std::pair<std::string, std::string>>{
           {"blue", "asset1"}, {"blue", "asset2"}, {"red", "asset3"}}) {
    session.peer().Put("\0color~name\0"s + color + "\0"s + name + "\0"s, "\0"s);
  }
  auto proposal = session.MakeProposal({"blue"});
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"blue"},
                                       proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->response.status() == 200);
  std::lock_guard lock(mu);
  CHECK(found == std::vector<std::string>{"color~name:blue:asset1", "color~name:blue:asset2"});
  CHECK(paged_bookmark == "\0color~name\0blue\0asset2\0"s);
  ::protos::QueryMetadata metadata;
  metadata.set_pagesize(1);
  CHECK(Sent(session.peer(), proposal.tx_id) ==
        std::vector<std::pair<ChaincodeMessage::Type, std::string>>{
            {ChaincodeMessage::GET_STATE_BY_RANGE,
             Bytes(RangeRequest("\0color~name\0blue\0"s, "\0color~name\0blue\0\xF4\x8F\xBF\xBF"s))},
            {ChaincodeMessage::GET_STATE_BY_RANGE,
             Bytes(RangeRequest("\0color~name\0"s, "\0color~name\0\xF4\x8F\xBF\xBF"s,
                                Bytes(metadata)))},
        });
}

TEST_CASE("GetHistoryForKey iterates the key's modifications across batches") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::vector<std::string> seen;
  chaincode.On("history", [&](shim::ChaincodeStub& stub) {
    auto iterator = stub.GetHistoryForKey("asset1");
    if (!iterator.ok()) return FromStatus(iterator.status());
    std::lock_guard lock(mu);
    while ((*iterator)->HasNext()) {
      auto modification = (*iterator)->Next();
      if (!modification.ok()) return FromStatus(modification.status());
      seen.push_back(modification->tx_id() + ":" + modification->value() + ":" +
                     (modification->is_delete() ? "deleted" : "") + ":" +
                     std::to_string(modification->timestamp().seconds()));
    }
    return FromStatus((*iterator)->Close());
  });
  FakeChaincodePeer::Options options;
  options.batch_size = 2;
  ChaincodeSession session(chaincode, options);
  std::vector<::queryresult::KeyModification> history(3);
  for (int i = 0; i < 3; ++i) {
    history[i].set_tx_id("tx" + std::to_string(i));
    history[i].set_value(i == 2 ? "" : "v" + std::to_string(i));
    history[i].set_is_delete(i == 2);
    history[i].mutable_timestamp()->set_seconds(1700000000 + i);
  }
  session.peer().SetHistory("asset1", history);
  auto proposal = session.MakeProposal({"history"});
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"history"},
                                       proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->response.status() == 200);
  std::lock_guard lock(mu);
  CHECK(seen == std::vector<std::string>{"tx0:v0::1700000000", "tx1:v1::1700000001",
                                         "tx2::deleted:1700000002"});
  ::protos::GetHistoryForKey request;
  request.set_key("asset1");
  auto sent = Sent(session.peer(), proposal.tx_id);
  REQUIRE(sent.size() == 3);
  CHECK(sent[0] == std::make_pair(ChaincodeMessage::GET_HISTORY_FOR_KEY, Bytes(request)));
  CHECK(sent[1].first == ChaincodeMessage::QUERY_STATE_NEXT);
  CHECK(sent[2].first == ChaincodeMessage::QUERY_STATE_CLOSE);
}

TEST_CASE("SetEvent puts the last event set on COMPLETED and refuses an empty event name") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::string empty_name;
  chaincode.On("emit", [&](shim::ChaincodeStub& stub) {
    {
      std::lock_guard lock(mu);
      empty_name = Text(stub.SetEvent("", "x"));
    }
    if (auto s = stub.SetEvent("first", "1"); !s.ok()) return FromStatus(s);
    if (auto s = stub.SetEvent("AssetCreated", "{\"ID\":\"a1\"}"); !s.ok()) return FromStatus(s);
    return shim::Success();
  });
  ChaincodeSession session(chaincode);
  auto outcome = session.Invoke({"emit"});
  REQUIRE(outcome.completed());
  REQUIRE(outcome.message.has_chaincode_event());
  ::protos::ChaincodeEvent expected;
  expected.set_event_name("AssetCreated");
  expected.set_payload("{\"ID\":\"a1\"}");
  // The shim sets name and payload only; the peer fills chaincode_id and tx_id.
  CHECK(Bytes(outcome.message.chaincode_event()) == Bytes(expected));
  std::lock_guard lock(mu);
  CHECK(empty_name == "event name can not be empty string");
}

TEST_CASE("InvokeChaincode sends a ChaincodeSpec and returns the callee's Response") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::vector<::protos::Response> responses;
  chaincode.On("call", [&](shim::ChaincodeStub& stub) {
    auto same = stub.InvokeChaincode("other", {"Get", "k"});
    auto elsewhere = stub.InvokeChaincode("other", {"Get", "k"}, "otherchannel");
    std::lock_guard lock(mu);
    responses = {same, elsewhere};
    return shim::Success();
  });
  ChaincodeSession session(chaincode);
  ::protos::Response callee;
  callee.set_status(200);
  callee.set_payload("callee result");
  session.peer().AnswerInvokeChaincode(callee);
  auto proposal = session.MakeProposal({"call"});
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"call"},
                                       proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->response.status() == 200);
  {
    std::lock_guard lock(mu);
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].status() == 200);
    CHECK(responses[0].payload() == "callee result");
  }
  ::protos::ChaincodeSpec same, elsewhere;
  same.mutable_chaincode_id()->set_name("other");
  same.mutable_input()->add_args("Get");
  same.mutable_input()->add_args("k");
  elsewhere = same;
  // Another channel is named "<chaincode>/<channel>" (stub.go InvokeChaincode).
  elsewhere.mutable_chaincode_id()->set_name("other/otherchannel");
  CHECK(Sent(session.peer(), proposal.tx_id) ==
        std::vector<std::pair<ChaincodeMessage::Type, std::string>>{
            {ChaincodeMessage::INVOKE_CHAINCODE, Bytes(same)},
            {ChaincodeMessage::INVOKE_CHAINCODE, Bytes(elsewhere)}});
}

TEST_CASE("InvokeChaincode answers status 500 with the peer's message when the call fails") {
  ScriptedChaincode chaincode;
  chaincode.On("call",
               [](shim::ChaincodeStub& stub) { return stub.InvokeChaincode("nope", {"x"}); });
  ChaincodeSession session(chaincode);
  auto outcome = session.Invoke({"call"});
  REQUIRE(outcome.completed());
  CHECK(outcome.response.status() == 500);
  CHECK(outcome.response.message() == "chaincode nope not found");
}

TEST_CASE("State validation parameters are the key's VALIDATION_PARAMETER metadata") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::string read_back, unset;
  chaincode.On("set", [](shim::ChaincodeStub& stub) {
    return FromStatus(stub.SetStateValidationParameter("asset1", "policy-bytes"));
  });
  chaincode.On("get", [&](shim::ChaincodeStub& stub) {
    auto policy = stub.GetStateValidationParameter("asset1");
    auto none = stub.GetStateValidationParameter("asset2");
    if (!policy.ok() || !none.ok()) return shim::Error("metadata read failed");
    std::lock_guard lock(mu);
    read_back = *policy;
    unset = *none;
    return shim::Success();
  });
  ChaincodeSession session(chaincode);
  session.peer().PutMetadata("asset2", "OTHER", "x");
  auto set = session.MakeProposal({"set"});
  REQUIRE(session.peer()
              .Invoke(weft::testing::kSessionChannel, set.tx_id, {"set"}, set.signed_proposal)
              ->response.status() == 200);
  ::protos::PutStateMetadata put;
  put.set_key("asset1");
  put.mutable_metadata()->set_metakey("VALIDATION_PARAMETER");
  put.mutable_metadata()->set_value("policy-bytes");
  CHECK(Sent(session.peer(), set.tx_id) ==
        std::vector<std::pair<ChaincodeMessage::Type, std::string>>{
            {ChaincodeMessage::PUT_STATE_METADATA, Bytes(put)}});
  CHECK(session.peer().metadata("asset1") ==
        std::map<std::string, std::string>{{"VALIDATION_PARAMETER", "policy-bytes"}});

  auto get = session.MakeProposal({"get"});
  REQUIRE(session.peer()
              .Invoke(weft::testing::kSessionChannel, get.tx_id, {"get"}, get.signed_proposal)
              ->response.status() == 200);
  ::protos::GetStateMetadata request;
  request.set_key("asset1");
  CHECK(Sent(session.peer(), get.tx_id).at(0) ==
        std::make_pair(ChaincodeMessage::GET_STATE_METADATA, Bytes(request)));
  std::lock_guard lock(mu);
  CHECK(read_back == "policy-bytes");
  CHECK(unset.empty());
}

TEST_CASE("Private data calls carry the collection and refuse an empty one") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::string value, hash, empty_collection;
  chaincode.On("pvt", [&](shim::ChaincodeStub& stub) {
    auto v = stub.GetPrivateData("secrets", "k");
    auto h = stub.GetPrivateDataHash("secrets", "k");
    if (!v.ok() || !h.ok()) return shim::Error("private read failed");
    {
      std::lock_guard lock(mu);
      value = *v;
      hash = *h;
      empty_collection = Text(stub.PutPrivateData("", "k", "v"));
    }
    if (auto s = stub.PutPrivateData("secrets", "n", "new"); !s.ok()) return FromStatus(s);
    if (auto s = stub.DelPrivateData("secrets", "k"); !s.ok()) return FromStatus(s);
    return FromStatus(stub.PurgePrivateData("secrets", "old"));
  });
  ChaincodeSession session(chaincode);
  session.peer().PutPrivate("secrets", "k", "hidden");
  session.peer().PutPrivate("secrets", "old", "gone");
  auto proposal = session.MakeProposal({"pvt"});
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"pvt"},
                                       proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->response.status() == 200);
  {
    std::lock_guard lock(mu);
    CHECK(value == "hidden");
    CHECK(hash == weft::common::crypto::Sha256("hidden"));
    CHECK(empty_collection == "collection must not be an empty string");
  }
  ::protos::GetState get;
  get.set_key("k");
  get.set_collection("secrets");
  ::protos::PutState put;
  put.set_key("n");
  put.set_value("new");
  put.set_collection("secrets");
  ::protos::DelState del;
  del.set_key("k");
  del.set_collection("secrets");
  ::protos::DelState purge;
  purge.set_key("old");
  purge.set_collection("secrets");
  CHECK(Sent(session.peer(), proposal.tx_id) ==
        std::vector<std::pair<ChaincodeMessage::Type, std::string>>{
            {ChaincodeMessage::GET_STATE, Bytes(get)},
            {ChaincodeMessage::GET_PRIVATE_DATA_HASH, Bytes(get)},
            {ChaincodeMessage::PUT_STATE, Bytes(put)},
            {ChaincodeMessage::DEL_STATE, Bytes(del)},
            {ChaincodeMessage::PURGE_PRIVATE_DATA, Bytes(purge)}});
  CHECK(session.peer().private_state("secrets") ==
        std::map<std::string, std::string>{{"n", "new"}});
}

TEST_CASE("Private data ranges carry the collection like public ranges") {
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::vector<std::string> keys;
  std::string no_collection;
  chaincode.On("pvt-range", [&](shim::ChaincodeStub& stub) {
    auto range = stub.GetPrivateDataByRange("secrets", "", "");
    auto partial = stub.GetPrivateDataByPartialCompositeKey("secrets", "idx", {"x"});
    if (!range.ok() || !partial.ok()) return shim::Error("private range failed");
    std::lock_guard lock(mu);
    for (auto* iterator : {range->get(), partial->get()}) {
      while (iterator->HasNext()) {
        auto kv = iterator->Next();
        if (!kv.ok()) return FromStatus(kv.status());
        keys.push_back(kv->key());
      }
    }
    no_collection = Text(stub.GetPrivateDataByRange("", "a", "b").status());
    return shim::Success();
  });
  ChaincodeSession session(chaincode);
  session.peer().PutPrivate("secrets", "k1", "v1");
  session.peer().PutPrivate("secrets",
                            "\0idx\0x\0"
                            "1\0"s,
                            "v2");
  session.peer().Put("public", "v3");
  auto proposal = session.MakeProposal({"pvt-range"});
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id,
                                       {"pvt-range"}, proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->response.status() == 200);
  std::lock_guard lock(mu);
  CHECK(keys == std::vector<std::string>{"k1",
                                         "\0idx\0x\0"
                                         "1\0"s});
  CHECK(no_collection == "collection must not be an empty string");
  auto range = RangeRequest("\x01", "");
  range.set_collection("secrets");
  auto partial = RangeRequest("\0idx\0x\0"s, "\0idx\0x\0\xF4\x8F\xBF\xBF"s);
  partial.set_collection("secrets");
  CHECK(Sent(session.peer(), proposal.tx_id) ==
        std::vector<std::pair<ChaincodeMessage::Type, std::string>>{
            {ChaincodeMessage::GET_STATE_BY_RANGE, Bytes(range)},
            {ChaincodeMessage::GET_STATE_BY_RANGE, Bytes(partial)}});
}

TEST_CASE("GetQueryResult surfaces the peer's error for rich queries on LevelDB") {
  ScriptedChaincode chaincode;
  chaincode.On("rich", [](shim::ChaincodeStub& stub) {
    return FromStatus(stub.GetQueryResult(R"({"selector":{"docType":"asset"}})").status());
  });
  ChaincodeSession session(chaincode);
  auto outcome = session.Invoke({"rich"});
  CHECK(outcome.response.status() == 500);
  CHECK(outcome.response.message() == "ExecuteQuery not supported for leveldb");
  ::protos::GetQueryResult request;
  request.set_query(R"({"selector":{"docType":"asset"}})");
  REQUIRE(session.peer().requests().size() == 1);
  CHECK(session.peer().requests()[0].payload() == Bytes(request));
}

TEST_CASE("GetMultipleStates uses GET_STATE_MULTIPLE only when READY offers it") {
  for (bool offered : {false, true}) {
    CAPTURE(offered);
    ScriptedChaincode chaincode;
    std::mutex mu;
    std::vector<std::string> values;
    chaincode.On("many", [&](shim::ChaincodeStub& stub) {
      auto got = stub.GetMultipleStates({"a", "missing", "c"});
      if (!got.ok()) return FromStatus(got.status());
      std::lock_guard lock(mu);
      values = *got;
      return shim::Success();
    });
    FakeChaincodePeer::Options options;
    options.offer_get_multiple_keys = offered;
    ChaincodeSession session(chaincode, options);
    session.peer().Put("a", "1");
    session.peer().Put("c", "3");
    auto outcome = session.Invoke({"many"});
    REQUIRE(outcome.response.status() == 200);
    {
      std::lock_guard lock(mu);
      CHECK(values == std::vector<std::string>{"1", "", "3"});
    }
    auto requests = session.peer().requests();
    if (offered) {
      ::protos::GetStateMultiple expected;
      for (std::string key : {"a", "missing", "c"}) expected.add_keys(key);
      REQUIRE(requests.size() == 1);
      CHECK(requests[0].type() == ChaincodeMessage::GET_STATE_MULTIPLE);
      CHECK(requests[0].payload() == Bytes(expected));
    } else {
      REQUIRE(requests.size() == 3);
      for (const auto& request : requests) CHECK(request.type() == ChaincodeMessage::GET_STATE);
    }
    CHECK(session.peer().violations().empty());
  }
}

TEST_CASE("Many transactions run at once on one stream, each answered on its own txid") {
  constexpr int kTransactions = 8;
  ScriptedChaincode chaincode;
  std::mutex mu;
  std::condition_variable all_inside;
  int inside = 0;
  chaincode.On("wait", [&](shim::ChaincodeStub& stub) {
    {
      // Every transaction waits until all are inside: they must run at once.
      std::unique_lock lock(mu);
      ++inside;
      all_inside.notify_all();
      if (!all_inside.wait_for(lock, weft::testing::kHangGuard,
                               [&] { return inside >= kTransactions; })) {
        return shim::Error("not all transactions ran at once");
      }
    }
    auto value = stub.GetState(stub.GetArgs().at(1));
    if (!value.ok()) return FromStatus(value.status());
    if (auto s = stub.PutState("out-" + stub.GetArgs().at(1), *value + "!"); !s.ok()) {
      return FromStatus(s);
    }
    return shim::Success(stub.GetTxID());
  });
  ChaincodeSession session(chaincode);
  for (int i = 0; i < kTransactions; ++i)
    session.peer().Put("in-" + std::to_string(i), std::to_string(i));
  std::vector<std::unique_ptr<weft::testing::WorkerThread>> workers;
  for (int i = 0; i < kTransactions; ++i) {
    workers.push_back(std::make_unique<weft::testing::WorkerThread>(
        [&session, i](weft::testing::FailureLog& failures) {
          auto proposal = session.MakeProposal({"wait", "in-" + std::to_string(i)});
          auto outcome =
              session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id,
                                    {"wait", "in-" + std::to_string(i)}, proposal.signed_proposal);
          if (!failures.Expect(outcome.has_value(), "no outcome for " + proposal.tx_id)) return;
          failures.Expect(outcome->response.status() == 200,
                          "transaction " + std::to_string(i) + ": " + outcome->response.message());
          failures.Expect(
              outcome->response.payload() == proposal.tx_id,
              "the answer of " + proposal.tx_id + " came back as " + outcome->response.payload());
          for (const auto& request : session.peer().requests(proposal.tx_id)) {
            failures.Expect(request.channel_id() == weft::testing::kSessionChannel,
                            "request on channel " + request.channel_id());
          }
          failures.Expect(session.peer().requests(proposal.tx_id).size() == 2,
                          "transaction " + proposal.tx_id + " did not send GET_STATE + PUT_STATE");
        }));
  }
  for (auto& worker : workers) REQUIRE(worker->Join() == weft::testing::kNoFailures);
  CHECK(session.peer().max_in_flight() == kTransactions);
  auto state = session.peer().state();
  for (int i = 0; i < kTransactions; ++i) {
    CHECK(state["out-in-" + std::to_string(i)] == std::to_string(i) + "!");
  }
  CHECK(session.peer().violations().empty());
}

TEST_CASE("INIT runs Init, and a failing Init answers ERROR with its message as the Go shim does") {
  ScriptedChaincode chaincode;
  chaincode.On("init", [](shim::ChaincodeStub& stub) {
    if (stub.GetArgs().size() > 1) return shim::Error("init needs no arguments");
    return shim::Success("initialized");
  });
  ChaincodeSession session(chaincode);
  auto good = session.MakeProposal({"init"});
  auto ok = session.peer().Invoke(weft::testing::kSessionChannel, good.tx_id, {"init"},
                                  good.signed_proposal, /*init=*/true);
  REQUIRE(ok.has_value());
  REQUIRE(ok->completed());
  CHECK(ok->response.payload() == "initialized");
  auto bad = session.MakeProposal({"init", "x"});
  auto failed = session.peer().Invoke(weft::testing::kSessionChannel, bad.tx_id, {"init", "x"},
                                      bad.signed_proposal, /*init=*/true);
  REQUIRE(failed.has_value());
  CHECK(failed->message.type() == ChaincodeMessage::ERROR);
  CHECK(failed->message.payload() == "init needs no arguments");
  CHECK(failed->message.txid() == bad.tx_id);
}

TEST_CASE("A transaction whose proposal does not decode is answered with ERROR") {
  ScriptedChaincode chaincode;
  chaincode.On("x", [](shim::ChaincodeStub&) { return shim::Success(); });
  ChaincodeSession session(chaincode);
  ::protos::SignedProposal broken;
  broken.set_proposal_bytes("\xFF\xFF not a proposal");
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, "tx-broken", {"x"}, broken);
  REQUIRE(outcome.has_value());
  CHECK(outcome->message.type() == ChaincodeMessage::ERROR);
  CHECK(outcome->message.payload() ==
        "failed to create new ChaincodeStub: failed to extract Proposal from SignedProposal");

  ::protos::Proposal headerless;
  ::protos::SignedProposal empty_header;
  empty_header.set_proposal_bytes(headerless.SerializeAsString());
  auto second =
      session.peer().Invoke(weft::testing::kSessionChannel, "tx-headerless", {"x"}, empty_header);
  REQUIRE(second.has_value());
  CHECK(second->message.payload() ==
        "failed to create new ChaincodeStub: failed to extract Proposal fields: proposal header "
        "is nil");
  // The conversation goes on.
  CHECK(session.Invoke({"x"}).response.status() == 200);
}

TEST_CASE("A KEEPALIVE from the peer is echoed back") {
  ScriptedChaincode chaincode;
  ChaincodeSession session(chaincode);
  ChaincodeMessage keepalive;
  keepalive.set_type(ChaincodeMessage::KEEPALIVE);
  REQUIRE(session.peer().SendRaw(keepalive));
  REQUIRE(session.peer().WaitForUnsolicited(1));
  CHECK(session.peer().unsolicited().at(0).type() == ChaincodeMessage::KEEPALIVE);
}

TEST_CASE("A message the ready shim cannot handle gets an ERROR and ends the conversation") {
  ScriptedChaincode chaincode;
  ChaincodeSession session(chaincode);
  ChaincodeMessage stray;
  stray.set_type(ChaincodeMessage::GET_STATE);
  stray.set_txid("tx-stray");
  REQUIRE(session.peer().SendRaw(stray));
  REQUIRE(session.peer().WaitForUnsolicited(1));
  auto error = session.peer().unsolicited().at(0);
  CHECK(error.type() == ChaincodeMessage::ERROR);
  CHECK(error.txid() == "tx-stray");
  CHECK(error.payload() ==
        "chaincode handler cannot handle message GET_STATE (txid tx-stray) while in state ready");
  absl::Status ended = session.Stop();
  CHECK(ended.code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("The shim ends with an UNAVAILABLE status when the peer closes the stream") {
  ScriptedChaincode chaincode;
  ChaincodeSession session(chaincode);
  absl::Status ended = session.Stop();
  CHECK(ended.code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("Start fails with UNAVAILABLE when no peer listens") {
  ScriptedChaincode chaincode;
  shim::PeerConnection connection;
  connection.peer_address = "127.0.0.1:1";
  connection.chaincode_id = "cc:1";
  absl::Status status = shim::Start(chaincode, connection);
  CHECK(status.code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("The chaincode server serves a peer that dials Connect (chaincode as a service)") {
  ScriptedChaincode chaincode;
  chaincode.On("put", [](shim::ChaincodeStub& stub) {
    return FromStatus(stub.PutState(stub.GetArgs().at(1), stub.GetArgs().at(2)));
  });
  shim::ServerSettings settings;
  settings.address = "127.0.0.1:0";
  settings.chaincode_id = "basic_1.0:ccaas";
  auto server = shim::ChaincodeServer::Start(chaincode, settings);
  REQUIRE(server.ok());
  CHECK((*server)->address().rfind("127.0.0.1:", 0) == 0);
  weft::testing::TestProposals proposals;

  // The peer may connect more than once; each Connect call registers anew.
  for (int connection = 0; connection < 2; ++connection) {
    auto peer = FakeChaincodePeer::Dial((*server)->address(), FakeChaincodePeer::Options());
    REQUIRE(peer->WaitForRegistration() == std::optional<std::string>("basic_1.0:ccaas"));
    const std::vector<std::string> args{"put", "k" + std::to_string(connection), "v"};
    auto proposal = proposals.Make(args);
    auto outcome = peer->Invoke(weft::testing::kSessionChannel, proposal.tx_id, args,
                                proposal.signed_proposal);
    REQUIRE(outcome.has_value());
    CHECK(outcome->response.status() == 200);
    CHECK(peer->state().at("k" + std::to_string(connection)) == "v");
    CHECK(peer->violations().empty());
    peer->Close();
  }
  (*server)->Stop();
}

TEST_CASE("A chaincode server refuses incomplete settings") {
  ScriptedChaincode chaincode;
  shim::ServerSettings settings;
  settings.address = "127.0.0.1:0";
  auto no_id = shim::ChaincodeServer::Start(chaincode, settings);
  REQUIRE_FALSE(no_id.ok());
  CHECK(no_id.status().message() == "ccid must be specified");
  settings.chaincode_id = "cc";
  settings.tls_enabled = true;
  auto no_key = shim::ChaincodeServer::Start(chaincode, settings);
  REQUIRE_FALSE(no_key.ok());
  CHECK(no_key.status().message() == "key not provided");
}

TEST_CASE("A registration the peer refuses ends Start with the peer's reason") {
  FakeChaincodePeer::Options options;
  options.refuse_registration = "chaincode unknown:1 is not installed";
  auto peer = FakeChaincodePeer::Listen(options);
  ScriptedChaincode chaincode;
  shim::PeerConnection connection;
  connection.peer_address = peer->address();
  connection.chaincode_id = "unknown:1";
  absl::Status status = shim::Start(chaincode, connection);
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(status.message() ==
        "chaincode handler cannot handle message ERROR (txid ) while in state created: the peer "
        "said: chaincode unknown:1 is not installed");
  // The shim answered the unexpected message with an ERROR of its own, as the Go shim.
  REQUIRE(peer->WaitForUnsolicited(1));
  CHECK(peer->unsolicited().at(0).type() == ChaincodeMessage::ERROR);
}

TEST_CASE("A range of 10,000 keys is read batch by batch") {
  ScriptedChaincode chaincode;
  std::atomic<int> counted{0};
  chaincode.On("count", [&](shim::ChaincodeStub& stub) {
    auto iterator = stub.GetStateByRange("", "");
    if (!iterator.ok()) return FromStatus(iterator.status());
    int n = 0;
    while ((*iterator)->HasNext()) {
      auto kv = (*iterator)->Next();
      if (!kv.ok()) return FromStatus(kv.status());
      ++n;
    }
    counted = n;
    return shim::Success();
  });
  ChaincodeSession session(chaincode);  // Fabric's batches of 100
  for (int i = 0; i < 10000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%05d", i);
    session.peer().Put(key, "v");
  }
  auto proposal = session.MakeProposal({"count"});
  auto outcome = session.peer().Invoke(weft::testing::kSessionChannel, proposal.tx_id, {"count"},
                                       proposal.signed_proposal);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->response.status() == 200);
  CHECK(counted == 10000);
  auto sent = Sent(session.peer(), proposal.tx_id);
  CHECK(sent.size() == 100);  // one GET_STATE_BY_RANGE and 99 QUERY_STATE_NEXT
  CHECK(std::count_if(sent.begin(), sent.end(), [](const auto& s) {
          return s.first == ChaincodeMessage::QUERY_STATE_NEXT;
        }) == 99);
}
