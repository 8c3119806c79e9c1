// Helpers shared by the config tests: write YAML into a temp dir and find the samples.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace weft::common::config::testing {

inline std::filesystem::path WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

inline std::filesystem::path SampleDir() {
  return std::filesystem::path(WEFT_SOURCE_DIR) / "deploy" / "config";
}

}  // namespace weft::common::config::testing
