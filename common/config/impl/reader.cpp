#include "common/config/reader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "common/config/impl/merge_keys.h"
#include "common/config/impl/text.h"
#include "common/config/values.h"
#include "common/settings/host_port.h"

namespace weft::common::config {
namespace {

using internal::Lower;
using internal::Upper;

// One step of a key path: a map key (matched case-insensitively) or a list index.
struct Step {
  std::string name;
  std::optional<size_t> index;
};

// "a.b[2].c" -> a, b, [2], c. Keys come from our own schema code, so a malformed key is
// a programming error; it simply matches nothing.
std::vector<Step> SplitKey(std::string_view key) {
  std::vector<Step> steps;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('.', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view part = key.substr(start, end - start);
    const size_t bracket = part.find('[');
    steps.push_back(Step{Lower(part.substr(0, bracket)), std::nullopt});
    for (size_t open = bracket; open != std::string_view::npos; open = part.find('[', open + 1)) {
      const size_t close = part.find(']', open);
      if (close == std::string_view::npos) break;
      size_t index = 0;
      for (char c : part.substr(open + 1, close - open - 1)) {
        index = index * 10 + static_cast<size_t>(c - '0');
      }
      steps.push_back(Step{"", index});
    }
    start = end + 1;
  }
  return steps;
}

// Normalised spellings of the key and of every section above it, for unknown-key checks.
std::vector<std::string> KeyAndParents(const std::vector<Step>& steps) {
  std::vector<std::string> paths;
  std::string path;
  for (const Step& step : steps) {
    if (step.index) {
      path += fmt::format("[{}]", *step.index);
    } else {
      path += fmt::format("{}{}", path.empty() ? "" : ".", step.name);
    }
    paths.push_back(path);
  }
  return paths;
}

std::string_view KindName(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return "a scalar";
}

}  // namespace

Environment EnvironmentFromEnviron(const char* const* envp) {
  Environment env;
  for (; envp != nullptr && *envp != nullptr; ++envp) {
    std::string_view entry(*envp);
    const size_t equals = entry.find('=');
    if (equals == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, equals)), std::string(entry.substr(equals + 1)));
  }
  return env;
}

struct Reader::State {
  std::string file_name;
  std::filesystem::path dir;
  std::string env_prefix;
  Environment env;
  YAML::Node root;
  std::vector<std::string> errors;
  std::set<std::string> read_keys;
  std::set<std::string> read_sections;

  // A value as found: from the environment (text + variable name) or the file (node).
  struct Raw {
    std::string env_name;
    std::string env_text;
    YAML::Node node;
    bool from_env() const { return !env_name.empty(); }
  };

  // Finds `key`, remembering that it was asked for. Null YAML values count as absent.
  std::optional<Raw> Find(std::string_view key) {
    const std::vector<Step> steps = SplitKey(key);
    std::vector<std::string> paths = KeyAndParents(steps);
    read_keys.insert(paths.back());
    paths.pop_back();
    read_sections.insert(paths.begin(), paths.end());

    if (key.find('[') == std::string_view::npos) {
      std::string name = fmt::format("{}_{}", env_prefix, Upper(key));
      for (char& c : name) {
        if (c == '.') c = '_';
      }
      auto it = env.find(name);
      if (it != env.end() && !it->second.empty()) return Raw{name, it->second, YAML::Node()};
    }

    // yaml-cpp's Node::operator= writes through to the referenced node, so walking the
    // tree uses reset() to rebind instead.
    YAML::Node node;
    node.reset(root);
    for (const Step& step : steps) {
      YAML::Node next;
      if (step.index) {
        if (!node.IsSequence() || *step.index >= node.size()) return std::nullopt;
        next.reset(node[*step.index]);
      } else {
        if (!node.IsMap()) return std::nullopt;
        for (const auto& entry : node) {
          if (entry.first.IsScalar() && Lower(entry.first.Scalar()) == step.name) {
            next.reset(entry.second);
            break;
          }
        }
      }
      if (!next.IsDefined() || next.IsNull()) return std::nullopt;
      node.reset(next);
    }
    return Raw{"", "", node};
  }

  // The map at `key`, or nullopt when absent or not a map (recorded as an error). Callers
  // read the entries one by one, so the map counts as a section, not a finished key.
  std::optional<YAML::Node> SectionMap(std::string_view key) {
    std::optional<Raw> raw = Find(key);
    MarkSection(key);
    if (!raw) return std::nullopt;
    if (raw->from_env() || !raw->node.IsMap()) {
      const std::string_view got = raw->from_env() ? "a string" : KindName(raw->node);
      AddError(key, &*raw, fmt::format("expected a map, got {}", got));
      return std::nullopt;
    }
    return raw->node;
  }

  // For a found list or map whose items are read one by one: unknown-key checks then
  // look inside it instead of taking it as read.
  void MarkSection(std::string_view key) {
    std::vector<std::string> paths = KeyAndParents(SplitKey(key));
    read_keys.erase(paths.back());
    read_sections.insert(paths.back());
  }

  // A map of NAME: scalar, each scalar converted by `parse` (text -> StatusOr<T>). *out is
  // replaced only when every entry converts; failures are recorded against "key.NAME".
  template <typename T, typename Parse>
  void ScalarMap(std::string_view key, std::vector<std::pair<std::string, T>>* out, Parse parse) {
    std::optional<YAML::Node> map = SectionMap(key);
    if (!map) return;
    std::vector<std::pair<std::string, T>> entries;
    bool ok = true;
    for (const auto& entry : *map) {
      const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "?";
      const std::string entry_key = fmt::format("{}.{}", key, name);
      MarkRead(entry_key);
      StatusOr<T> value = entry.second.IsScalar()
                              ? parse(entry.second.Scalar())
                              : StatusOr<T>(absl::InvalidArgumentError(fmt::format(
                                    "expected a scalar, got {}", KindName(entry.second))));
      if (!value.ok()) {
        AddError(entry_key, nullptr, std::string(value.status().message()));
        ok = false;
        continue;
      }
      entries.emplace_back(name, *std::move(value));
    }
    if (ok) *out = std::move(entries);
  }

  void MarkRead(std::string_view key) {
    std::vector<std::string> paths = KeyAndParents(SplitKey(key));
    read_keys.insert(paths.back());
    paths.pop_back();
    read_sections.insert(paths.begin(), paths.end());
  }

  void AddError(std::string_view key, const Raw* raw, std::string_view what) {
    std::string source = raw != nullptr && raw->from_env()
                             ? fmt::format(" (set by {})", raw->env_name)
                             : std::string();
    errors.push_back(fmt::format("{}: {}{}: {}", file_name, key, source, what));
  }

  // A lookup result: the value if the key is set, and its text if that value is a scalar
  // (a list or map where text was expected has been recorded as an error).
  struct Lookup {
    std::optional<Raw> raw;
    std::optional<std::string> text;
  };

  Lookup Scalar(std::string_view key, std::string_view expected) {
    Lookup found{Find(key), std::nullopt};
    if (!found.raw) return found;
    if (found.raw->from_env()) {
      found.text = found.raw->env_text;
    } else if (found.raw->node.IsScalar()) {
      found.text = found.raw->node.Scalar();
    } else {
      AddError(key, &*found.raw,
               fmt::format("expected {}, got {}", expected, KindName(found.raw->node)));
    }
    return found;
  }

  // Parses the scalar at `key` with `parse` (text -> StatusOr<T>), recording a failure
  // against the key and the source it came from.
  template <typename T, typename Parse>
  std::optional<T> Parsed(std::string_view key, std::string_view expected, Parse parse) {
    Lookup found = Scalar(key, expected);
    if (!found.text) return std::nullopt;
    StatusOr<T> value = parse(*found.text);
    if (!value.ok()) {
      AddError(key, &*found.raw, std::string(value.status().message()));
      return std::nullopt;
    }
    return *std::move(value);
  }

  // A YAML list of scalars, or one scalar in Fabric's "[a, b]" / "a,b" form.
  std::optional<std::vector<std::string>> StringList(std::string_view key) {
    std::optional<Raw> raw = Find(key);
    if (!raw) return std::nullopt;
    if (raw->from_env()) return ParseList(raw->env_text);
    if (raw->node.IsScalar()) return ParseList(raw->node.Scalar());
    if (raw->node.IsMap()) {
      AddError(key, &*raw, "expected a list of strings, got a map");
      return std::nullopt;
    }
    std::vector<std::string> items;
    for (const YAML::Node& item : raw->node) {
      if (!item.IsScalar()) {
        AddError(key, &*raw,
                 fmt::format("expected a list of strings, got {} in the list", KindName(item)));
        return std::nullopt;
      }
      items.push_back(item.Scalar());
    }
    return items;
  }

  void CollectUnknown(const YAML::Node& node, const std::string& path, const std::string& shown,
                      std::vector<std::string>* out) const {
    auto visit = [&](const YAML::Node& child, const std::string& child_path,
                     const std::string& child_shown) {
      if (read_keys.count(child_path) != 0) return;
      if (read_sections.count(child_path) != 0 && (child.IsMap() || child.IsSequence())) {
        CollectUnknown(child, child_path, child_shown, out);
        return;
      }
      out->push_back(fmt::format("{}: {}: unknown key, ignored", file_name, child_shown));
    };
    if (node.IsMap()) {
      for (const auto& entry : node) {
        const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "?";
        visit(entry.second, path.empty() ? Lower(name) : fmt::format("{}.{}", path, Lower(name)),
              shown.empty() ? name : fmt::format("{}.{}", shown, name));
      }
    } else if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) {
        visit(node[i], fmt::format("{}[{}]", path, i), fmt::format("{}[{}]", shown, i));
      }
    }
  }
};

Reader::Reader(std::unique_ptr<State> state) : state_(std::move(state)) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

StatusOr<Reader> Reader::Open(const std::filesystem::path& file, std::string env_prefix,
                              Environment env) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    return absl::NotFoundError(fmt::format("{}: config file not found", file.string()));
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  if (in.is_open()) text << in.rdbuf();
  if (!in.is_open() || in.bad()) {
    return absl::FailedPreconditionError(fmt::format("{}: cannot read config file", file.string()));
  }
  return Parse(text.str(), file, std::move(env_prefix), std::move(env));
}

StatusOr<Reader> Reader::Parse(std::string_view yaml, const std::filesystem::path& file,
                               std::string env_prefix, Environment env) {
  auto state = std::make_unique<State>();
  state->file_name = file.filename().string();
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(file, error);
  state->dir = (error ? file : absolute).parent_path();
  state->env_prefix = std::move(env_prefix);
  state->env = std::move(env);
  try {
    state->root.reset(YAML::Load(std::string(yaml)));
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(fmt::format("{}:{}:{}: invalid YAML: {}", file.string(),
                                                  e.mark.line + 1, e.mark.column + 1, e.msg));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(fmt::format("{}: invalid YAML: {}", file.string(), e.what()));
  }
  if (state->root.IsNull()) state->root.reset(YAML::Node(YAML::NodeType::Map));
  WEFT_ASSIGN_OR_RETURN(YAML::Node resolved,
                        internal::ResolveMergeKeys(state->root, file.string()));
  state->root.reset(resolved);
  if (!state->root.IsMap()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: expected a map of settings at the top level, got {}", file.string(),
                    KindName(state->root)));
  }
  return Reader(std::move(state));
}

bool Reader::Has(std::string_view key) { return state_->Find(key).has_value(); }

void Reader::ReadString(std::string_view key, std::string* out, Need need) {
  State::Lookup found = state_->Scalar(key, "a string");
  if (found.text) {
    *out = *std::move(found.text);
  } else if (need == Need::kRequired && !found.raw) {
    state_->AddError(key, nullptr, "required key is missing");
  }
}

void Reader::ReadBool(std::string_view key, bool* out) {
  if (auto value = state_->Parsed<bool>(key, "true or false", ParseBool)) *out = *value;
}

std::optional<int64_t> Reader::IntValue(std::string_view key, int64_t min, int64_t max) {
  return state_->Parsed<int64_t>(key, "an integer", [&](std::string_view text) {
    StatusOr<int64_t> value = ParseInteger(text);
    if (value.ok() && (*value < min || *value > max)) {
      return StatusOr<int64_t>(absl::InvalidArgumentError(
          fmt::format("expected an integer from {} to {}, got '{}'", min, max, text)));
    }
    return value;
  });
}

void Reader::ReadDuration(std::string_view key, std::chrono::milliseconds* out) {
  if (auto value = state_->Parsed<std::chrono::nanoseconds>(key, "a duration", ParseDuration)) {
    *out = std::chrono::duration_cast<std::chrono::milliseconds>(*value);
  }
}

std::optional<uint64_t> Reader::ByteSizeValue(std::string_view key, uint64_t max) {
  return state_->Parsed<uint64_t>(key, "a byte size", [&](std::string_view text) {
    StatusOr<uint64_t> value = ParseByteSize(text);
    if (value.ok() && *value > max) {
      return StatusOr<uint64_t>(absl::InvalidArgumentError(
          fmt::format("expected a byte size of at most {} bytes, got '{}'", max, text)));
    }
    return value;
  });
}

void Reader::ReadStringList(std::string_view key, std::vector<std::string>* out) {
  if (auto items = state_->StringList(key)) *out = *std::move(items);
}

std::filesystem::path Reader::ResolvePath(const std::filesystem::path& path) const {
  if (path.empty() || path.is_absolute()) return path;
  return (state_->dir / path).lexically_normal();
}

void Reader::ReadPath(std::string_view key, std::filesystem::path* out, Need need) {
  State::Lookup found = state_->Scalar(key, "a file path");
  if (found.text) {
    *out = ResolvePath(*found.text);
  } else if (need == Need::kRequired && !found.raw) {
    state_->AddError(key, nullptr, "required key is missing");
  }
}

void Reader::ReadPathList(std::string_view key, std::vector<std::filesystem::path>* out) {
  std::optional<std::vector<std::string>> items = state_->StringList(key);
  if (!items) return;
  out->clear();
  for (const std::string& item : *items) out->push_back(ResolvePath(item));
}

void Reader::ReadHostPort(std::string_view key, std::string* out, Need need) {
  auto parse = [](std::string_view text) -> StatusOr<std::string> {
    if (!settings::SplitHostPort(text).ok()) {
      return absl::InvalidArgumentError(fmt::format("expected host:port, got '{}'", text));
    }
    return std::string(text);
  };
  if (need == Need::kRequired && !Has(key)) {
    state_->AddError(key, nullptr, "required key is missing");
    return;
  }
  if (auto value = state_->Parsed<std::string>(key, "host:port", parse)) {
    *out = *std::move(value);
  }
}

void Reader::ReadOneOf(std::string_view key, std::string* out,
                       std::initializer_list<std::string_view> allowed) {
  auto parse = [&](std::string_view text) -> StatusOr<std::string> {
    for (std::string_view choice : allowed) {
      if (Lower(choice) == Lower(text)) return std::string(choice);
    }
    return absl::InvalidArgumentError(
        fmt::format("expected one of {}, got '{}'", fmt::join(allowed, ", "), text));
  };
  if (auto value = state_->Parsed<std::string>(key, "a string", parse)) *out = *std::move(value);
}

size_t Reader::ListSize(std::string_view key) {
  std::optional<State::Raw> raw = state_->Find(key);
  state_->MarkSection(key);
  if (!raw) return 0;
  if (raw->from_env() || !raw->node.IsSequence()) {
    state_->AddError(key, &*raw, "expected a list of maps");
    return 0;
  }
  return raw->node.size();
}

std::vector<std::string> Reader::MapKeys(std::string_view key) {
  std::vector<std::string> keys;
  if (std::optional<YAML::Node> map = state_->SectionMap(key)) {
    for (const auto& entry : *map) {
      if (entry.first.IsScalar()) keys.push_back(entry.first.Scalar());
    }
  }
  return keys;
}

void Reader::ReadBoolMap(std::string_view key, std::vector<std::pair<std::string, bool>>* out) {
  state_->ScalarMap(key, out, ParseBool);
}

void Reader::ReadStringMap(std::string_view key,
                           std::vector<std::pair<std::string, std::string>>* out) {
  state_->ScalarMap(
      key, out, [](std::string_view text) -> StatusOr<std::string> { return std::string(text); });
}

void Reader::AddError(std::string_view key, std::string_view what) {
  state_->AddError(key, nullptr, what);
}

Status Reader::Finish() const {
  if (state_->errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(fmt::format("{}", fmt::join(state_->errors, "; ")));
}

const std::vector<std::string>& Reader::errors() const { return state_->errors; }

std::vector<std::string> Reader::UnknownKeys() const {
  std::vector<std::string> unknown;
  state_->CollectUnknown(state_->root, "", "", &unknown);
  return unknown;
}

const std::string& Reader::file_name() const { return state_->file_name; }

}  // namespace weft::common::config
