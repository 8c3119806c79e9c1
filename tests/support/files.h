// Whole-file reads and writes for tests. Both throw std::runtime_error naming the
// path on failure, so Catch2 reports the cause where the test called them.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace weft::testing {

std::string ReadFile(const std::filesystem::path& path);
// Creates the parent folders; replaces what was there.
void WriteFile(const std::filesystem::path& path, std::string_view contents);

}  // namespace weft::testing
