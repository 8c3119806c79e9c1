// Golden values computed outside Weft: runs a Node script of tests/interop
// (Fabric's rules written in JavaScript over Fabric's published protos) that
// prints one JSON object {name: hex}, and returns name -> bytes.
// Thread-safety: stateless; runs a child process.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace weft::testing {

// `script` is relative to tests/interop (e.g. "ledger/ledger_golden.js").
// Throws std::runtime_error, with the script's output, when the npm packages are
// not installed (run deploy/setup.sh), the script fails or prints no JSON object.
std::map<std::string, std::string> NodeGoldenValues(std::string_view script);

}  // namespace weft::testing
