#include "orderer/blockcutter/block_cutter.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using weft::common::channelconfig::BatchSize;
using weft::orderer::blockcutter::BlockCutter;

namespace {

// An envelope whose size (payload + signature) is exactly `bytes`.
::common::Envelope Sized(size_t bytes, char tag = 'x') {
  ::common::Envelope envelope;
  envelope.set_payload(std::string(bytes - 1, tag));
  envelope.set_signature("s");
  return envelope;
}

std::vector<size_t> Sizes(const std::vector<::common::Envelope>& batch) {
  std::vector<size_t> sizes;
  for (const auto& envelope : batch) sizes.push_back(BlockCutter::MessageSize(envelope));
  return sizes;
}

}  // namespace

TEST_CASE("The block cutter keeps envelopes pending until MaxMessageCount is reached") {
  BlockCutter cutter([] { return BatchSize{3, 1000, 100}; });
  auto first = cutter.Ordered(Sized(10));
  CHECK(first.batches.empty());
  CHECK(first.pending);
  CHECK(cutter.Ordered(Sized(11)).batches.empty());
  auto third = cutter.Ordered(Sized(12));
  REQUIRE(third.batches.size() == 1);
  CHECK(Sizes(third.batches[0]) == std::vector<size_t>{10, 11, 12});
  CHECK_FALSE(third.pending);
  CHECK(cutter.Cut().empty());
}

TEST_CASE(
    "The block cutter cuts the pending batch before an envelope that would overflow "
    "PreferredMaxBytes") {
  BlockCutter cutter([] { return BatchSize{10, 1000, 100}; });
  cutter.Ordered(Sized(40));
  cutter.Ordered(Sized(40));
  auto result = cutter.Ordered(Sized(30));
  REQUIRE(result.batches.size() == 1);
  CHECK(Sizes(result.batches[0]) == std::vector<size_t>{40, 40});
  CHECK(result.pending);
  CHECK(Sizes(cutter.Cut()) == std::vector<size_t>{30});
}

TEST_CASE("An envelope exactly filling PreferredMaxBytes joins the pending batch") {
  BlockCutter cutter([] { return BatchSize{10, 1000, 100}; });
  cutter.Ordered(Sized(60));
  auto result = cutter.Ordered(Sized(40));
  CHECK(result.batches.empty());
  CHECK(Sizes(cutter.Cut()) == std::vector<size_t>{60, 40});
}

TEST_CASE("An envelope larger than PreferredMaxBytes is cut alone after the pending batch") {
  BlockCutter cutter([] { return BatchSize{10, 1000, 100}; });
  cutter.Ordered(Sized(20));
  auto result = cutter.Ordered(Sized(150));
  REQUIRE(result.batches.size() == 2);
  CHECK(Sizes(result.batches[0]) == std::vector<size_t>{20});
  CHECK(Sizes(result.batches[1]) == std::vector<size_t>{150});
  CHECK_FALSE(result.pending);

  auto alone = cutter.Ordered(Sized(150));
  REQUIRE(alone.batches.size() == 1);
  CHECK(Sizes(alone.batches[0]) == std::vector<size_t>{150});
}

TEST_CASE("Overflowing PreferredMaxBytes and reaching MaxMessageCount can cut two batches") {
  BlockCutter cutter([] { return BatchSize{2, 1000, 100}; });
  cutter.Ordered(Sized(90));
  // 90 + 20 overflows -> [90] is cut; [20] alone does not reach the count of 2.
  auto result = cutter.Ordered(Sized(20));
  REQUIRE(result.batches.size() == 1);
  CHECK(result.pending);
  auto second = cutter.Ordered(Sized(20));
  REQUIRE(second.batches.size() == 1);
  CHECK(Sizes(second.batches[0]) == std::vector<size_t>{20, 20});
}

TEST_CASE("The block cutter reads the batch size again for every envelope") {
  BatchSize size{5, 1000, 100};
  BlockCutter cutter([&size] { return size; });
  cutter.Ordered(Sized(10));
  size.max_message_count = 2;
  auto result = cutter.Ordered(Sized(10));
  REQUIRE(result.batches.size() == 1);
  CHECK(result.batches[0].size() == 2);
}

TEST_CASE("Cut returns the pending envelopes in order and empties the cutter") {
  BlockCutter cutter([] { return BatchSize{10, 1000, 100}; });
  cutter.Ordered(Sized(5, 'a'));
  cutter.Ordered(Sized(5, 'b'));
  auto batch = cutter.Cut();
  REQUIRE(batch.size() == 2);
  CHECK(batch[0].payload()[0] == 'a');
  CHECK(batch[1].payload()[0] == 'b');
  CHECK(cutter.Cut().empty());
  // Bytes were reset too: 95 fits again without cutting.
  CHECK(cutter.Ordered(Sized(95)).batches.empty());
}
