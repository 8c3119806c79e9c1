#include "peer/lifecycle/ledger_state.h"

#include <fmt/format.h>

namespace weft::peer::lifecycle {
namespace {
constexpr std::string_view kImplicitCollectionPrefix = "_implicit_org_";
}  // namespace

[[nodiscard]] StatusOr<std::map<std::string, std::string>> LifecycleStateRange(
    ledger::QueryExecutor& executor, std::string_view prefix) {
  const std::string end = std::string(prefix) + "\x7f";
  StatusOr<std::unique_ptr<ledger::ResultsIterator>> it =
      executor.GetStateRangeScanIterator(kLifecycleNamespace, prefix, end);
  if (!it.ok()) return Annotate(it.status(), "could not get state iterator");
  std::map<std::string, std::string> result;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(auto kv, (*it)->Next());
    if (!kv) break;
    result.emplace(std::move(*kv->mutable_key()), std::move(*kv->mutable_value()));
  }
  return result;
}

std::string ImplicitCollectionName(std::string_view msp_id) {
  return fmt::format("{}{}", kImplicitCollectionPrefix, msp_id);
}

std::optional<std::string> MspIdOfImplicitCollection(std::string_view collection) {
  if (!collection.starts_with(kImplicitCollectionPrefix)) return std::nullopt;
  return std::string(collection.substr(kImplicitCollectionPrefix.size()));
}

}  // namespace weft::peer::lifecycle
