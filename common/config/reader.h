// Reader: maps keys of one YAML config file, with Fabric-style environment overrides,
// into typed fields, collecting every problem instead of stopping at the first.
//
//   WEFT_ASSIGN_OR_RETURN(Reader reader, Reader::Open("orderer.yaml", "ORDERER", env));
//   reader.ReadInt("General.ListenPort", &port, 0, 65535);
//   WEFT_RETURN_IF_ERROR(reader.Finish());
//
// Keys are dot-separated paths matched case-insensitively, as Fabric's viper does;
// "a.b[2].c" reaches into a list of maps. The environment variable for key "a.bC.d" with
// prefix P is P_A_BC_D; when set and non-empty it wins over the file (list items have no
// variable). Every Read* leaves *out untouched when neither source sets the key, so
// defaults are whatever the struct held before. Problems are recorded as
// "<file name>: <key>: <what>", e.g. "orderer.yaml: General.ListenPort: expected an
// integer, got 'abc'", and returned together by Finish().
//
// Thread-safety: not thread-safe; use one Reader from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/status/status.h"

namespace weft::common::config {

// Environment variables by name. Passed in explicitly so that parsing never reads
// process-global state and tests control it fully.
using Environment = std::map<std::string, std::string, std::less<>>;

// Copies a NULL-terminated "NAME=value" array such as main()'s envp or `environ`.
Environment EnvironmentFromEnviron(const char* const* envp);

// A loaded config and the keys present in the file that Weft does not know, as
// "<file name>: <key>: unknown key, ignored", for the caller to log.
template <typename Config>
struct Loaded {
  Config config;
  std::vector<std::string> warnings;
};

// kRequired records "<key>: required key is missing" when neither source sets the key.
enum class Need { kOptional, kRequired };

class Reader {
 public:
  // Reads and parses `file`. NotFound names the path when it does not exist,
  // FailedPrecondition when it cannot be read; InvalidArgument gives
  // "<path>:<line>:<column>: invalid YAML: ..." for syntax errors.
  [[nodiscard]] static StatusOr<Reader> Open(const std::filesystem::path& file,
                                             std::string env_prefix, Environment env);
  // Parses `yaml` as if it were the contents of `file` (used for names and for resolving
  // relative paths; the file itself is not read).
  [[nodiscard]] static StatusOr<Reader> Parse(std::string_view yaml,
                                              const std::filesystem::path& file,
                                              std::string env_prefix, Environment env);

  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;
  ~Reader();

  // True when the file or the environment sets `key` (which then counts as known).
  bool Has(std::string_view key);

  void ReadString(std::string_view key, std::string* out, Need need = Need::kOptional);
  void ReadBool(std::string_view key, bool* out);
  template <typename Int>
  void ReadInt(std::string_view key, Int* out, Int min = std::numeric_limits<Int>::lowest(),
               Int max = std::numeric_limits<Int>::max());
  // Durations keep millisecond precision; finer parts are truncated.
  void ReadDuration(std::string_view key, std::chrono::milliseconds* out);
  template <typename Int>
  void ReadByteSize(std::string_view key, Int* out, Int max = std::numeric_limits<Int>::max());
  // A YAML list of strings, or one string in the "[a, b]" / "a,b" form.
  void ReadStringList(std::string_view key, std::vector<std::string>* out);
  // Relative paths are resolved against the folder of the config file; absolute paths are
  // kept. An empty value leaves an empty path.
  void ReadPath(std::string_view key, std::filesystem::path* out, Need need = Need::kOptional);
  void ReadPathList(std::string_view key, std::vector<std::filesystem::path>* out);
  // "host:port" with a port in 0..65535; the host may be empty or a [bracketed] IPv6 address.
  void ReadHostPort(std::string_view key, std::string* out, Need need = Need::kOptional);
  // One of `allowed`, compared case-insensitively; *out gets the spelling from `allowed`.
  void ReadOneOf(std::string_view key, std::string* out,
                 std::initializer_list<std::string_view> allowed);
  // Number of items of the YAML list at `key` (0 when absent), for reading "key[i].field".
  size_t ListSize(std::string_view key);

  // Keys of the map at `key` in their spelling and order in the file (empty when absent),
  // for sections whose keys are names: policies, capabilities, profiles.
  std::vector<std::string> MapKeys(std::string_view key);
  // A map of NAME: true|false (capabilities), in file order. Entry names are taken
  // verbatim, so they may contain dots or slashes; the environment does not override them.
  void ReadBoolMap(std::string_view key, std::vector<std::pair<std::string, bool>>* out);
  // A map of NAME: string (ACLs), in file order, like ReadBoolMap.
  void ReadStringMap(std::string_view key, std::vector<std::pair<std::string, std::string>>* out);

  // Resolves `path` the way ReadPath does (for relative defaults a schema may have).
  std::filesystem::path ResolvePath(const std::filesystem::path& path) const;

  // Records a problem found by cross-field validation, in the same format as type errors.
  void AddError(std::string_view key, std::string_view what);

  // OK, or InvalidArgument listing every recorded problem separated by "; ".
  [[nodiscard]] Status Finish() const;
  const std::vector<std::string>& errors() const;
  // Keys (or whole sections) in the file that no Read* call asked for.
  std::vector<std::string> UnknownKeys() const;

  // "orderer.yaml": how the file is named in messages.
  const std::string& file_name() const;

 private:
  struct State;
  explicit Reader(std::unique_ptr<State> state);

  std::optional<int64_t> IntValue(std::string_view key, int64_t min, int64_t max);
  std::optional<uint64_t> ByteSizeValue(std::string_view key, uint64_t max);

  std::unique_ptr<State> state_;
};

template <typename Int>
void Reader::ReadInt(std::string_view key, Int* out, Int min, Int max) {
  static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
  static_assert(sizeof(Int) < sizeof(int64_t) || std::is_signed_v<Int>,
                "uint64 settings must use ReadByteSize or a narrower type");
  if (auto value = IntValue(key, static_cast<int64_t>(min), static_cast<int64_t>(max))) {
    *out = static_cast<Int>(*value);
  }
}

template <typename Int>
void Reader::ReadByteSize(std::string_view key, Int* out, Int max) {
  static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
  if (auto value = ByteSizeValue(key, static_cast<uint64_t>(max))) {
    *out = static_cast<Int>(*value);
  }
}

}  // namespace weft::common::config
