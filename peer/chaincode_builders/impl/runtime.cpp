#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "absl/strings/escaping.h"
#include "peer/chaincode_builders/builders.h"
#include "peer/chaincode_builders/connection.h"
#include "peer/chaincode_builders/impl/process.h"
#include "peer/chaincode_package/code_archive.h"

namespace weft::peer::chaincode_builders {
namespace {

namespace fs = std::filesystem;
using chaincode_support::ChaincodeServerInfo;
using chaincode_support::PeerConnection;
using Json = nlohmann::ordered_json;

// externalbuilder.DefaultPropagateEnvironment.
const std::vector<std::string> kDefaultPropagate = {"LD_LIBRARY_PATH", "LIBPATH", "PATH", "TMPDIR"};
// build-info.json names of the built-in builders; no external builder can take them
// over because the prefix is reserved here.
constexpr std::string_view kBuiltinPrefix = "weft-builtin-";
constexpr std::chrono::seconds kKillWait{5};  // Instance.Stop's wait after SIGKILL

enum class Builtin { kNode, kBinary, kCcaas };

std::string BuiltinName(Builtin builtin) {
  switch (builtin) {
    case Builtin::kNode:
      return "node";
    case Builtin::kBinary:
      return "binary";
    case Builtin::kCcaas:
      return "ccaas";
  }
  return "";
}

std::optional<Builtin> BuiltinForType(std::string_view type) {
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "node") return Builtin::kNode;
  if (lower == "binary") return Builtin::kBinary;
  if (lower == "ccaas") return Builtin::kCcaas;
  return std::nullopt;
}

// externalbuilder.SanitizeCCIDPath.
std::string SanitizeId(std::string_view id) {
  std::string out(id);
  for (char& c : out) {
    if (std::string_view("<>:\"/\\|?*&").find(c) != std::string_view::npos) c = '-';
  }
  return out;
}

[[nodiscard]] Status WriteFile(const fs::path& path, std::string_view data, mode_t mode) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  std::error_code error;
  fs::permissions(path, static_cast<fs::perms>(mode), error);
  if (!out || error) return absl::InternalError(fmt::format("could not write '{}'", path.string()));
  return Status();
}

[[nodiscard]] StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InternalError(fmt::format("could not read '{}'", path.string()));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

[[nodiscard]] Status CopyTree(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, error);
  if (error) {
    return absl::InternalError(fmt::format("could not copy '{}' to '{}': {}", from.string(),
                                           to.string(), error.message()));
  }
  return Status();
}

[[nodiscard]] StatusOr<fs::path> MakeTempDir(const fs::path& pattern_prefix) {
  std::string pattern = pattern_prefix.string() + "XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(
        fmt::format("could not create a folder like '{}': {}", pattern, std::strerror(errno)));
  }
  return fs::path(pattern);
}

[[nodiscard]] Status MakeDir(const fs::path& path) {
  if (mkdir(path.c_str(), 0700) != 0) {
    return absl::InternalError(
        fmt::format("could not create '{}': {}", path.string(), std::strerror(errno)));
  }
  return Status();
}

// Removes a folder when the scope ends unless released.
class ScopedRemove {
 public:
  explicit ScopedRemove(fs::path path) : path_(std::move(path)) {}
  ~ScopedRemove() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  ScopedRemove(const ScopedRemove&) = delete;
  ScopedRemove& operator=(const ScopedRemove&) = delete;

 private:
  fs::path path_;
};

std::string OutputSuffix(impl::Process& process) {
  std::string tail = process.OutputTail();
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  return tail.empty() ? std::string() : fmt::format("; output:\n{}", tail);
}

bool Executable(const fs::path& path) { return access(path.c_str(), X_OK) == 0; }

struct BuildResult {
  std::string builder_name;
  std::optional<size_t> external;  // index into the settings' external builders
  std::optional<Builtin> builtin;
  fs::path bld_dir;
  fs::path release_dir;
  std::string executable;  // binary: the program, relative to bld_dir
  std::optional<ChaincodeServerInfo> server;
};

struct PackageState {
  std::mutex mu;  // serialises Build, Start and Stop of this package
  std::optional<BuildResult> build;
  std::shared_ptr<impl::Process> process;
};

class BuilderRuntime final : public chaincode_support::ChaincodeRuntime {
 public:
  BuilderRuntime(ChaincodeBuilderSettings settings,
                 std::shared_ptr<const chaincode_package::PackageStore> store,
                 std::shared_ptr<common::log::Logger> logger)
      : settings_(std::move(settings)), store_(std::move(store)), logger_(std::move(logger)) {}

  ~BuilderRuntime() override {
    std::map<std::string, std::shared_ptr<PackageState>, std::less<>> packages;
    {
      std::lock_guard lock(mu_);
      packages.swap(packages_);
    }
    for (auto& [id, state] : packages) {
      std::lock_guard lock(state->mu);
      if (state->process != nullptr) Terminate(id, *state->process).IgnoreError();
    }
  }

  [[nodiscard]] StatusOr<std::optional<ChaincodeServerInfo>> Build(
      std::string_view package_id) override {
    WEFT_RETURN_IF_ERROR(chaincode_package::ParsePackageId(package_id).status());
    std::shared_ptr<PackageState> state = StateFor(package_id, /*create=*/true);
    std::lock_guard lock(state->mu);
    WEFT_ASSIGN_OR_RETURN(const BuildResult* build, EnsureBuilt(package_id, *state));
    return build->server;
  }

  [[nodiscard]] Status Start(std::string_view package_id, const PeerConnection& peer) override {
    WEFT_RETURN_IF_ERROR(chaincode_package::ParsePackageId(package_id).status());
    if (peer.address.empty()) {
      return absl::InvalidArgumentError(
          fmt::format("no peer address to give chaincode '{}'", package_id));
    }
    std::shared_ptr<PackageState> state = StateFor(package_id, /*create=*/true);
    std::lock_guard lock(state->mu);
    WEFT_ASSIGN_OR_RETURN(const BuildResult* build, EnsureBuilt(package_id, *state));
    if (build->server) {
      return absl::FailedPreconditionError(fmt::format(
          "chaincode '{}' is a chaincode server at {}: the peer dials it, nothing is started",
          package_id, build->server->address));
    }
    if (state->process != nullptr && !state->process->Exited()) {
      return absl::FailedPreconditionError(fmt::format("chaincode '{}' is already running (pid {})",
                                                       package_id, state->process->pid()));
    }
    WEFT_ASSIGN_OR_RETURN(
        fs::path launch_dir,
        MakeTempDir((settings_.runs_dir.empty() ? fs::temp_directory_path() : settings_.runs_dir) /
                    "weft-run-"));
    auto remove_launch_dir = [launch_dir] {
      std::error_code ignored;
      fs::remove_all(launch_dir, ignored);
    };
    StatusOr<impl::SpawnOptions> options = LaunchOptions(package_id, *build, peer, launch_dir);
    if (!options.ok()) {
      remove_launch_dir();
      return options.status();
    }
    options->log_exit = true;
    StatusOr<std::unique_ptr<impl::Process>> process =
        impl::Process::Start(*options, logger_, fmt::format("[{}]", package_id), remove_launch_dir);
    if (!process.ok()) {
      remove_launch_dir();
      return Annotate(process.status(), fmt::format("could not start chaincode '{}' ({})",
                                                    package_id, build->builder_name));
    }
    if (logger_ != nullptr) {
      logger_->Info("started chaincode {} with builder {} (pid {})", package_id,
                    build->builder_name, (*process)->pid());
    }
    state->process = std::move(*process);
    return Status();
  }

  [[nodiscard]] Status Stop(std::string_view package_id) override {
    std::shared_ptr<PackageState> state = StateFor(package_id, /*create=*/false);
    if (state == nullptr) return Status();
    std::lock_guard lock(state->mu);
    if (state->process == nullptr) return Status();
    return Terminate(package_id, *state->process);
  }

  [[nodiscard]] StatusOr<int> Wait(std::string_view package_id) override {
    std::shared_ptr<PackageState> state = StateFor(package_id, /*create=*/false);
    std::shared_ptr<impl::Process> process;
    if (state != nullptr) {
      std::lock_guard lock(state->mu);
      process = state->process;
    }
    if (process == nullptr) {
      return absl::FailedPreconditionError(
          fmt::format("chaincode '{}' was not started", package_id));
    }
    return process->Wait();
  }

 private:
  std::shared_ptr<PackageState> StateFor(std::string_view package_id, bool create) {
    std::lock_guard lock(mu_);
    auto it = packages_.find(package_id);
    if (it != packages_.end()) return it->second;
    if (!create) return nullptr;
    auto state = std::make_shared<PackageState>();
    packages_.emplace(std::string(package_id), state);
    return state;
  }

  // Instance.Stop: SIGTERM, then SIGKILL after the grace period.
  [[nodiscard]] Status Terminate(std::string_view package_id, impl::Process& process) {
    if (process.Exited()) return Status();
    process.Signal(SIGTERM);
    if (process.WaitFor(settings_.termination_grace)) return Status();
    if (logger_ != nullptr) {
      logger_->Warn("chaincode {} did not stop within {} ms of SIGTERM; sending SIGKILL",
                    package_id, settings_.termination_grace.count());
    }
    process.Signal(SIGKILL);
    if (process.WaitFor(kKillWait)) return Status();
    return absl::InternalError(fmt::format("failed to stop instance '{}'", package_id));
  }

  std::vector<std::string> Propagated(const std::vector<std::string>& names,
                                      bool npm_config) const {
    std::vector<std::string> env;
    std::vector<std::string> seen;
    auto add = [&](const std::string& name) {
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) return;
      seen.push_back(name);
      auto it = settings_.environment.find(name);
      if (it != settings_.environment.end()) env.push_back(name + "=" + it->second);
    };
    for (const std::string& name : names) add(name);
    for (const std::string& name : kDefaultPropagate) add(name);
    if (npm_config) {
      add("HOME");
      for (const auto& [name, value] : settings_.environment) {
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.rfind("npm_config_", 0) == 0) add(name);
      }
    }
    return env;
  }

  // The environment of the built-in builders' commands (npm needs HOME for its cache).
  std::vector<std::string> BuiltinEnvironment() const {
    std::vector<std::string> env = Propagated({}, /*npm_config=*/true);
    env.push_back("npm_config_update_notifier=false");
    return env;
  }

  [[nodiscard]] StatusOr<fs::path> FindProgram(std::string_view name) const {
    auto it = settings_.environment.find("PATH");
    std::string dirs =
        it != settings_.environment.end() ? it->second : "/usr/local/bin:/usr/bin:/bin";
    for (size_t start = 0; start <= dirs.size();) {
      size_t colon = dirs.find(':', start);
      if (colon == std::string::npos) colon = dirs.size();
      fs::path candidate = fs::path(dirs.substr(start, colon - start)) / name;
      if (!candidate.parent_path().empty() && Executable(candidate)) return candidate;
      start = colon + 1;
    }
    return absl::FailedPreconditionError(
        fmt::format("{} is not installed: not found in PATH {}", name, dirs));
  }

  [[nodiscard]] StatusOr<const BuildResult*> EnsureBuilt(std::string_view package_id,
                                                         PackageState& state) {
    if (state.build) return &*state.build;
    const fs::path durable = settings_.builds_dir / SanitizeId(package_id);
    std::error_code error;
    if (!fs::exists(durable, error)) {
      StatusOr<BuildResult> built = BuildNew(package_id, durable);
      if (!built.ok()) {
        if (logger_ != nullptr) {
          logger_->Error("build of chaincode {} failed: {}", package_id,
                         std::string(built.status().message()));
        }
        return built.status();
      }
      if (logger_ != nullptr) {
        logger_->Info("built chaincode {} with builder {}", package_id, built->builder_name);
      }
      state.build = std::move(*built);
      return &*state.build;
    }
    StatusOr<BuildResult> restored = Restore(package_id, durable);
    if (!restored.ok()) return Annotate(restored.status(), "existing build could not be restored");
    state.build = std::move(*restored);
    return &*state.build;
  }

  // Detector.CachedBuild.
  [[nodiscard]] StatusOr<BuildResult> Restore(std::string_view package_id,
                                              const fs::path& durable) const {
    const fs::path info_path = durable / "build-info.json";
    WEFT_ASSIGN_OR_RETURN(std::string text, ReadFile(info_path));
    Json info = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (info.is_discarded() || !info.is_object() || !info.contains("builder_name") ||
        !info["builder_name"].is_string()) {
      return absl::InternalError(fmt::format("malformed build info at '{}'", info_path.string()));
    }
    BuildResult result;
    result.builder_name = info["builder_name"].get<std::string>();
    result.bld_dir = durable / "bld";
    result.release_dir = durable / "release";
    if (result.builder_name.rfind(kBuiltinPrefix, 0) == 0) {
      result.builtin = BuiltinForType(result.builder_name.substr(kBuiltinPrefix.size()));
      if (info.contains("executable") && info["executable"].is_string()) {
        result.executable = info["executable"].get<std::string>();
      }
    } else {
      for (size_t i = 0; i < settings_.external_builders.size(); ++i) {
        if (settings_.external_builders[i].name == result.builder_name) result.external = i;
      }
    }
    if (!result.builtin && !result.external) {
      return absl::FailedPreconditionError(fmt::format(
          "chaincode '{}' was already built with builder '{}', but that builder is no longer "
          "available",
          package_id, result.builder_name));
    }
    WEFT_ASSIGN_OR_RETURN(result.server, ReadServer(result.release_dir));
    return result;
  }

  // Instance.ChaincodeServerInfo: release/chaincode/server/connection.json, if any.
  [[nodiscard]] static StatusOr<std::optional<ChaincodeServerInfo>> ReadServer(
      const fs::path& release_dir) {
    const fs::path path = release_dir / "chaincode" / "server" / "connection.json";
    std::error_code error;
    if (!fs::exists(path, error)) return std::optional<ChaincodeServerInfo>();
    WEFT_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    StatusOr<ChaincodeServerInfo> info = ParseConnectionJson(text);
    if (!info.ok()) {
      return Annotate(info.status(), fmt::format("chaincode server info at '{}'", path.string()));
    }
    return std::optional<ChaincodeServerInfo>(std::move(*info));
  }

  // Detector.Build, then the built-in builders; the scratch folder is renamed into
  // `durable` only when everything succeeded.
  [[nodiscard]] StatusOr<BuildResult> BuildNew(std::string_view package_id,
                                               const fs::path& durable) const {
    if (store_ == nullptr) return absl::FailedPreconditionError("no package store");
    StatusOr<chaincode_package::ChaincodePackage> package = store_->LoadParsed(package_id);
    if (!package.ok()) return Annotate(package.status(), "failed to get chaincode package");
    std::error_code error;
    fs::create_directories(settings_.builds_dir, error);
    WEFT_ASSIGN_OR_RETURN(
        fs::path scratch,
        MakeTempDir(settings_.builds_dir / fmt::format(".build-{}-", SanitizeId(package_id))));
    ScopedRemove remove_scratch(scratch);
    const fs::path src = scratch / "src";
    const fs::path metadata = scratch / "metadata";
    const fs::path bld = scratch / "bld";
    const fs::path release = scratch / "release";
    for (const fs::path& dir : {src, metadata, bld, release}) WEFT_RETURN_IF_ERROR(MakeDir(dir));
    Status extracted = chaincode_package::ExtractTarGz(package->code_package, src);
    if (!extracted.ok()) return Annotate(extracted, "could not untar source package");
    WEFT_RETURN_IF_ERROR(WriteFile(metadata / "metadata.json", package->metadata_json, 0600));

    BuildResult result;
    for (size_t i = 0; i < settings_.external_builders.size() && !result.external; ++i) {
      const ExternalBuilder& builder = settings_.external_builders[i];
      WEFT_ASSIGN_OR_RETURN(bool detected, Detect(package_id, builder, src, metadata));
      if (!detected) continue;
      Status built = RunExternal(package_id, builder, src, metadata, bld, release);
      if (!built.ok()) return Annotate(built, "external builder failed");
      result.external = i;
      result.builder_name = builder.name;
    }
    if (!result.external) {
      result.builtin = BuiltinForType(package->metadata.type);
      if (!result.builtin) {
        return absl::FailedPreconditionError(fmt::format(
            "no builder for chaincode type '{}' of package '{}': no external builder detected "
            "it and the built-in builders take node, binary and ccaas",
            package->metadata.type, package_id));
      }
      result.builder_name = std::string(kBuiltinPrefix) + BuiltinName(*result.builtin);
      switch (*result.builtin) {
        case Builtin::kNode:
          WEFT_RETURN_IF_ERROR(BuildNode(package_id, src, bld));
          break;
        case Builtin::kBinary: {
          WEFT_ASSIGN_OR_RETURN(result.executable, BuildBinary(package->metadata.path, src, bld));
          break;
        }
        case Builtin::kCcaas:
          WEFT_RETURN_IF_ERROR(BuildCcaas(src, metadata, bld, release));
          break;
      }
    }
    // A server whose connection.json is unusable fails the build, so nothing unusable
    // is kept.
    WEFT_ASSIGN_OR_RETURN(result.server, ReadServer(release));

    const fs::path out = scratch / "out";
    WEFT_RETURN_IF_ERROR(MakeDir(out));
    Json info = Json::object();
    info["builder_name"] = result.builder_name;
    if (!result.executable.empty()) info["executable"] = result.executable;
    WEFT_RETURN_IF_ERROR(WriteFile(out / "build-info.json", info.dump(), 0600));
    fs::rename(bld, out / "bld", error);
    if (!error) fs::rename(release, out / "release", error);
    if (!error) fs::rename(out, durable, error);
    if (error) {
      return absl::InternalError(fmt::format("could not move the build of '{}' to '{}': {}",
                                             package_id, durable.string(), error.message()));
    }
    result.bld_dir = durable / "bld";
    result.release_dir = durable / "release";
    return result;
  }

  // Builder.Detect: a detect that cannot run or exits non-zero declines.
  [[nodiscard]] StatusOr<bool> Detect(std::string_view package_id, const ExternalBuilder& builder,
                                      const fs::path& src, const fs::path& metadata) const {
    impl::SpawnOptions options;
    options.argv = {(builder.path / "bin" / "detect").string(), src.string(), metadata.string()};
    options.env = Propagated(builder.propagate_environment, /*npm_config=*/false);
    StatusOr<std::unique_ptr<impl::Process>> run = impl::RunToCompletion(
        options, logger_, fmt::format("[{}] {} detect:", package_id, builder.name));
    if (!run.ok()) {
      if (logger_ != nullptr) {
        logger_->Debug("builder '{}' detect failed: {}", builder.name,
                       std::string(run.status().message()));
      }
      return false;
    }
    return (*run)->Wait() == 0;
  }

  // Builder.Build and Builder.Release.
  [[nodiscard]] Status RunExternal(std::string_view package_id, const ExternalBuilder& builder,
                                   const fs::path& src, const fs::path& metadata,
                                   const fs::path& bld, const fs::path& release) const {
    impl::SpawnOptions options;
    options.env = Propagated(builder.propagate_environment, /*npm_config=*/false);
    options.argv = {(builder.path / "bin" / "build").string(), src.string(), metadata.string(),
                    bld.string()};
    {
      StatusOr<std::unique_ptr<impl::Process>> run = impl::RunToCompletion(
          options, logger_, fmt::format("[{}] {} build:", package_id, builder.name));
      if (!run.ok()) {
        return Annotate(run.status(), fmt::format("external builder '{}' failed", builder.name));
      }
      if ((*run)->Wait() != 0) {
        return absl::FailedPreconditionError(fmt::format("external builder '{}' failed: {}{}",
                                                         builder.name, (*run)->ExitDescription(),
                                                         OutputSuffix(**run)));
      }
    }
    const fs::path release_program = builder.path / "bin" / "release";
    if (!Executable(release_program)) return Status();  // release is optional
    options.argv = {release_program.string(), bld.string(), release.string()};
    StatusOr<std::unique_ptr<impl::Process>> run = impl::RunToCompletion(
        options, logger_, fmt::format("[{}] {} release:", package_id, builder.name));
    if (!run.ok()) {
      return Annotate(run.status(), fmt::format("builder '{}' release failed", builder.name));
    }
    if ((*run)->Wait() != 0) {
      return absl::FailedPreconditionError(fmt::format("builder '{}' release failed: {}{}",
                                                       builder.name, (*run)->ExitDescription(),
                                                       OutputSuffix(**run)));
    }
    return Status();
  }

  // Fabric's node build script: copy src/, then install the production dependencies.
  [[nodiscard]] Status BuildNode(std::string_view package_id, const fs::path& src,
                                 const fs::path& bld) const {
    const fs::path sources = src / "src";
    std::error_code error;
    if (!fs::is_regular_file(sources / "package.json", error)) {
      // The node platform's ValidateCodePackage message.
      return absl::FailedPreconditionError(
          "no package.json found at the root of the chaincode package");
    }
    WEFT_RETURN_IF_ERROR(CopyTree(sources, bld));
    WEFT_ASSIGN_OR_RETURN(fs::path npm, FindProgram("npm"));
    const bool locked = fs::exists(bld / "package-lock.json", error) ||
                        fs::exists(bld / "npm-shrinkwrap.json", error);
    impl::SpawnOptions options;
    options.argv = {npm.string(), locked ? "ci" : "install",
                    "--omit=dev", "--prefer-offline",
                    "--no-audit", "--no-fund"};
    options.env = BuiltinEnvironment();
    options.working_dir = bld;
    WEFT_ASSIGN_OR_RETURN(
        auto run, impl::RunToCompletion(options, logger_, fmt::format("[{}] npm:", package_id)));
    if (run->Wait() != 0) {
      return absl::FailedPreconditionError(fmt::format("node build failed: npm {} ended with {}{}",
                                                       locked ? "ci" : "install",
                                                       run->ExitDescription(), OutputSuffix(*run)));
    }
    return Status();
  }

  // Weft's binary type: the program named by metadata.json's path, under src/.
  [[nodiscard]] static StatusOr<std::string> BuildBinary(const std::string& path,
                                                         const fs::path& src, const fs::path& bld) {
    const fs::path relative = fs::path(path).lexically_normal();
    if (path.empty() || !chaincode_package::ValidArchivePath(path) || relative == "." ||
        !relative.has_filename()) {
      return absl::InvalidArgumentError(fmt::format(
          "binary package: metadata.json path '{}' must name the program relative to src/", path));
    }
    std::error_code error;
    if (!fs::is_regular_file(fs::symlink_status(src / "src" / relative, error))) {
      return absl::FailedPreconditionError(fmt::format(
          "binary package: the program src/{} is not a file in code.tar.gz", relative.string()));
    }
    WEFT_RETURN_IF_ERROR(CopyTree(src / "src", bld));
    fs::permissions(bld / relative,
                    fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, error);
    if (error) {
      return absl::InternalError(
          fmt::format("could not make src/{} executable: {}", relative.string(), error.message()));
    }
    return relative.string();
  }

  // ccaas_builder's build and release.
  [[nodiscard]] Status BuildCcaas(const fs::path& src, const fs::path& metadata,
                                  const fs::path& bld, const fs::path& release) const {
    std::error_code error;
    const fs::path connection = src / "connection.json";
    if (!fs::is_regular_file(connection, error)) {
      return absl::FailedPreconditionError(
          "ccaas package: connection.json not found at the root of code.tar.gz");
    }
    WEFT_ASSIGN_OR_RETURN(std::string text, ReadFile(connection));
    StatusOr<std::string> expanded = ExpandCcaasConnection(text, settings_.environment);
    if (!expanded.ok()) return Annotate(expanded.status(), "ccaas package: connection.json");
    WEFT_RETURN_IF_ERROR(CopyTree(metadata, bld));
    if (fs::is_directory(src / "META-INF", error)) {
      WEFT_RETURN_IF_ERROR(CopyTree(src / "META-INF", bld / "META-INF"));
    }
    WEFT_RETURN_IF_ERROR(WriteFile(bld / "connection.json", *expanded, 0600));
    const fs::path server = release / "chaincode" / "server";
    fs::create_directories(server, error);
    if (error) {
      return absl::InternalError(fmt::format("could not create '{}'", server.string()));
    }
    WEFT_RETURN_IF_ERROR(WriteFile(server / "connection.json", *expanded, 0600));
    if (fs::is_directory(bld / "META-INF" / "statedb", error)) {
      WEFT_RETURN_IF_ERROR(CopyTree(bld / "META-INF" / "statedb", release / "statedb"));
    }
    return Status();
  }

  // How to start a built package: Builder.Run for external builders, Fabric's Docker
  // launch (arguments and GetEnv) for the built-ins.
  [[nodiscard]] StatusOr<impl::SpawnOptions> LaunchOptions(std::string_view package_id,
                                                           const BuildResult& build,
                                                           const PeerConnection& peer,
                                                           const fs::path& launch_dir) const {
    impl::SpawnOptions options;
    if (build.external) {
      const ExternalBuilder& builder = settings_.external_builders[*build.external];
      Json config = Json::object();  // runConfig, in its field order
      config["chaincode_id"] = std::string(package_id);
      config["peer_address"] = peer.address;
      config["client_cert"] = peer.client_cert_pem;
      config["client_key"] = peer.client_key_pem;
      config["root_cert"] = peer.root_cert_pem;
      config["mspid"] = settings_.local_msp_id;
      WEFT_RETURN_IF_ERROR(WriteFile(launch_dir / "chaincode.json", config.dump(), 0600));
      options.argv = {(builder.path / "bin" / "run").string(), build.bld_dir.string(),
                      launch_dir.string()};
      options.env = Propagated(builder.propagate_environment, /*npm_config=*/false);
      return options;
    }
    options.env = BuiltinEnvironment();
    options.env.push_back(fmt::format("CORE_CHAINCODE_ID_NAME={}", package_id));
    options.env.push_back(fmt::format("CORE_CHAINCODE_LOGGING_LEVEL={}", settings_.log_level));
    options.env.push_back(fmt::format("CORE_CHAINCODE_LOGGING_SHIM={}", settings_.shim_log_level));
    options.env.push_back(fmt::format("CORE_CHAINCODE_LOGGING_FORMAT={}", settings_.log_format));
    if (!peer.root_cert_pem.empty() || !peer.client_cert_pem.empty()) {
      // dockercontroller: base64 of the PEM in the _PATH files (what fabric-shim reads),
      // plain PEM in the _FILE files and the root certificate.
      const std::pair<const char*, std::string> files[] = {
          {"client.key", absl::Base64Escape(peer.client_key_pem)},
          {"client.crt", absl::Base64Escape(peer.client_cert_pem)},
          {"client_pem.key", peer.client_key_pem},
          {"client_pem.crt", peer.client_cert_pem},
          {"peer.crt", peer.root_cert_pem}};
      for (const auto& [name, content] : files) {
        WEFT_RETURN_IF_ERROR(WriteFile(launch_dir / name, content, 0600));
      }
      options.env.push_back("CORE_PEER_TLS_ENABLED=true");
      options.env.push_back("CORE_TLS_CLIENT_KEY_PATH=" + (launch_dir / "client.key").string());
      options.env.push_back("CORE_TLS_CLIENT_CERT_PATH=" + (launch_dir / "client.crt").string());
      options.env.push_back("CORE_TLS_CLIENT_KEY_FILE=" + (launch_dir / "client_pem.key").string());
      options.env.push_back("CORE_TLS_CLIENT_CERT_FILE=" +
                            (launch_dir / "client_pem.crt").string());
      options.env.push_back("CORE_PEER_TLS_ROOTCERT_FILE=" + (launch_dir / "peer.crt").string());
    } else {
      options.env.push_back("CORE_PEER_TLS_ENABLED=false");
    }
    options.env.push_back(fmt::format("CORE_PEER_LOCALMSPID={}", settings_.local_msp_id));
    options.working_dir = build.bld_dir;
    switch (build.builtin.value_or(Builtin::kCcaas)) {
      case Builtin::kNode: {
        WEFT_ASSIGN_OR_RETURN(fs::path npm, FindProgram("npm"));
        options.argv = {npm.string(), "start", "--", "--peer.address", peer.address};
        return options;
      }
      case Builtin::kBinary:
        options.argv = {(build.bld_dir / build.executable).string()};
        options.env.push_back(fmt::format("CORE_PEER_ADDRESS={}", peer.address));
        return options;
      case Builtin::kCcaas:
        break;
    }
    return absl::FailedPreconditionError(
        fmt::format("chaincode '{}' has nothing to start", package_id));
  }

  const ChaincodeBuilderSettings settings_;
  const std::shared_ptr<const chaincode_package::PackageStore> store_;
  const std::shared_ptr<common::log::Logger> logger_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<PackageState>, std::less<>> packages_;  // guarded by mu_
};

}  // namespace

fs::path BuildsDir(const fs::path& file_system_path) {
  return file_system_path / "externalbuilder" / "builds";
}

fs::path RunsDir(const fs::path& file_system_path) {
  return file_system_path / "externalbuilder" / "runs";
}

ChaincodeBuilderSettings BuilderSettingsFromConfig(const common::config::PeerConfig& config,
                                                   common::config::Environment environment) {
  ChaincodeBuilderSettings settings;
  settings.builds_dir = BuildsDir(config.peer.file_system_path);
  settings.runs_dir = RunsDir(config.peer.file_system_path);
  settings.local_msp_id = config.peer.local_msp_id;
  for (const common::config::ExternalBuilder& builder : config.chaincode.external_builders) {
    settings.external_builders.push_back(
        {builder.name, builder.path, builder.propagate_environment});
  }
  settings.environment = std::move(environment);
  settings.log_level = config.chaincode.logging.level;
  settings.shim_log_level = config.chaincode.logging.shim;
  settings.log_format = config.chaincode.logging.format;
  return settings;
}

[[nodiscard]] StatusOr<std::unique_ptr<chaincode_support::ChaincodeRuntime>> NewChaincodeRuntime(
    ChaincodeBuilderSettings settings, std::shared_ptr<const chaincode_package::PackageStore> store,
    std::shared_ptr<common::log::Logger> logger) {
  if (settings.builds_dir.empty()) return absl::InvalidArgumentError("no chaincode build folder");
  for (const ExternalBuilder& builder : settings.external_builders) {
    // core/peer/config.go's checks, and Weft's reserved names.
    if (builder.path.empty()) {
      return absl::InvalidArgumentError(
          "invalid external builder configuration, path attribute missing in one or more "
          "builders");
    }
    if (builder.name.empty()) {
      return absl::InvalidArgumentError(
          fmt::format("external builder at path {} has no name attribute", builder.path.string()));
    }
    if (builder.name.rfind(kBuiltinPrefix, 0) == 0) {
      return absl::InvalidArgumentError(fmt::format(
          "external builder name '{}' is reserved for Weft's built-in builders", builder.name));
    }
  }
  if (settings.runs_dir == settings.builds_dir) {
    return absl::InvalidArgumentError("the chaincode run and build folders must differ");
  }
  for (const fs::path& dir : {settings.builds_dir, settings.runs_dir}) {
    if (dir.empty()) continue;
    std::error_code error;
    fs::create_directories(dir, error);
    if (error || !fs::is_directory(dir)) {
      return absl::InternalError(fmt::format("could not create the chaincode folder '{}': {}",
                                             dir.string(), error.message()));
    }
    fs::permissions(dir, fs::perms::owner_all, error);
    // Nothing runs yet, so run folders and unfinished builds are left over from a peer
    // that stopped without cleaning up. Only names this runtime makes are touched.
    const std::string_view stale = dir == settings.runs_dir ? "weft-run-" : ".build-";
    std::vector<fs::path> leftovers;
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
      if (it->path().filename().string().rfind(stale, 0) == 0) leftovers.push_back(it->path());
    }
    for (const fs::path& leftover : leftovers) {
      std::error_code ignored;
      fs::remove_all(leftover, ignored);
    }
  }
  return std::unique_ptr<chaincode_support::ChaincodeRuntime>(
      new BuilderRuntime(std::move(settings), std::move(store), std::move(logger)));
}

}  // namespace weft::peer::chaincode_builders
