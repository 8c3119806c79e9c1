#include "tests/support/node_golden.h"

#include <absl/strings/escaping.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tests/support/child_process.h"

namespace weft::testing {

std::map<std::string, std::string> NodeGoldenValues(std::string_view script) {
  const auto interop = std::filesystem::path(WEFT_SOURCE_DIR) / "tests/interop";
  if (!std::filesystem::is_directory(interop / "node_modules/@hyperledger/fabric-protos")) {
    throw std::runtime_error("@hyperledger/fabric-protos is not installed in " + interop.string() +
                             "/node_modules. Run deploy/setup.sh.");
  }
  const auto node = RunCommand({"node", (interop / script).string()});
  const nlohmann::json json = nlohmann::json::parse(node.out, nullptr, /*allow_exceptions=*/false);
  if (node.exit_code != 0 || !json.is_object()) {
    throw std::runtime_error(std::string(script) + " exited with " +
                             std::to_string(node.exit_code) + " and printed:\n" + node.output());
  }
  std::map<std::string, std::string> values;
  for (const auto& [name, hex] : json.items()) {
    values[name] = absl::HexStringToBytes(hex.get<std::string>());
  }
  return values;
}

}  // namespace weft::testing
