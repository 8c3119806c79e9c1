// The peer's ChaincodeRuntime: builds installed packages and runs them, as Fabric's
// container router does with external builders and its Docker builder (release-2.5
// core/container/container.go, core/container/externalbuilder).
//
// Build order: the external builders of core.yaml `chaincode.externalBuilders`, in
// order, through Fabric's contract (bin/detect <src> <metadata>, bin/build <src>
// <metadata> <bld>, optional bin/release <bld> <release>, bin/run <bld> <run dir>
// with chaincode.json; each with an environment pruned to its propagateEnvironment
// plus LD_LIBRARY_PATH, LIBPATH, PATH and TMPDIR); when none detects the package,
// the built-in builder of its metadata.json type (case-insensitive):
//   node    copies src/ and runs `npm ci --omit=dev --prefer-offline --no-audit
//           --no-fund` (with package-lock.json, else `npm install` with the same
//           flags); started as `npm start -- --peer.address <addr>` in the build.
//   binary  Weft's own type: code.tar.gz holds the program under src/, at the path
//           metadata.json's "path" names relative to src/ (e.g. "asset-transfer");
//           everything under src/ is copied and the program is marked executable
//           (packagers following Fabric's writer.go store mode 0644). Started with no
//           arguments in the build folder, with the node environment plus
//           CORE_PEER_ADDRESS.
//   ccaas   as Fabric's ccaas_builder: connection.json at the root of code.tar.gz is
//           expanded (ExpandCcaasConnection) and released; Build returns the server.
// Node and binary chaincode get Fabric's environment (dockercontroller.GetEnv):
// CORE_CHAINCODE_ID_NAME = package ID, CORE_CHAINCODE_LOGGING_{LEVEL,SHIM,FORMAT},
// CORE_PEER_TLS_ENABLED, and with TLS: CORE_TLS_CLIENT_KEY_PATH /
// CORE_TLS_CLIENT_CERT_PATH (files holding base64 of the PEM, which fabric-shim
// reads), CORE_TLS_CLIENT_KEY_FILE / CORE_TLS_CLIENT_CERT_FILE (PEM) and
// CORE_PEER_TLS_ROOTCERT_FILE (PEM); CORE_PEER_LOCALMSPID; plus PATH,
// LD_LIBRARY_PATH, LIBPATH, TMPDIR, HOME and npm_config_* from the peer's environment.
//
// Builds are kept under `builds_dir` as Fabric's durable path:
// <builds_dir>/<package ID with ':' as '-'>/{build-info.json, bld/, release/}, made in
// a scratch folder and renamed into place, so a failed build leaves nothing and a
// restarted peer reuses what was built. A failed build's error carries the end of
// the builder's output. Chaincode output goes to the logger, each line prefixed with
// the package ID. Stop sends SIGTERM to the chaincode's process group and SIGKILL
// after termination_grace. Wait returns the exit code, or -1 when a signal ended the
// chaincode (Go's ExitError.ExitCode, what Fabric's Instance.Wait reports). Start after
// the chaincode exited starts it again; Start while it runs is FailedPrecondition, as
// is Start of a chaincode server.
//
// Installing as Fabric's _lifecycle does: PackageStore::Install, then Build; when the
// build fails, PackageStore::Delete and report "could not build chaincode: <error>".
//
// Thread-safety: the runtime is thread-safe; calls for one package are serialised
// (Wait excepted, which blocks without holding anything).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/config/peer_config.h"
#include "common/config/reader.h"
#include "common/log/logger.h"
#include "peer/chaincode_package/package_store.h"
#include "peer/chaincode_support/runtime.h"

namespace weft::peer::chaincode_builders {

// One entry of chaincode.externalBuilders.
struct ExternalBuilder {
  std::string name;
  std::filesystem::path path;  // holds bin/detect, bin/build, [bin/release], bin/run
  std::vector<std::string> propagate_environment;
};

struct ChaincodeBuilderSettings {
  // Fabric: <peer.fileSystemPath>/externalbuilder/builds (see BuildsDir).
  std::filesystem::path builds_dir;
  // Where each start gets its folder (chaincode.json or the TLS key files); its
  // leftovers are removed when a runtime is made. Empty: $TMPDIR, as Fabric.
  // BuilderSettingsFromConfig puts it under peer.fileSystemPath (RunsDir), so keys a
  // crashed peer left behind are removed at its next start.
  std::filesystem::path runs_dir;
  std::string local_msp_id;  // peer.localMspId
  std::vector<ExternalBuilder> external_builders;
  // The peer's environment, read for the variables that are propagated.
  common::config::Environment environment;
  // chaincode.logging.{level,shim,format}, passed to node and binary chaincode.
  std::string log_level = "info";
  std::string shim_log_level = "warning";
  std::string log_format;
  // How long Stop waits after SIGTERM before SIGKILL (Fabric's TermTimeout).
  std::chrono::milliseconds termination_grace = std::chrono::seconds(5);
};

std::filesystem::path BuildsDir(const std::filesystem::path& file_system_path);
// <peer.fileSystemPath>/externalbuilder/runs.
std::filesystem::path RunsDir(const std::filesystem::path& file_system_path);

// The settings core.yaml gives: builds under BuildsDir(peer.fileSystemPath),
// peer.localMspId, chaincode.externalBuilders and chaincode.logging; `environment` is
// the peer's own (what propagateEnvironment and the built-ins read).
ChaincodeBuilderSettings BuilderSettingsFromConfig(const common::config::PeerConfig& config,
                                                   common::config::Environment environment);

// `store` supplies the installed packages; `logger` gets builder and chaincode output.
// The runtime stops every chaincode it started when it is destroyed. Making one
// removes what an interrupted peer left: unfinished builds (.build-*) in builds_dir
// and run folders (weft-run-*) in runs_dir. Errors when builds_dir is empty or equal
// to runs_dir, or when the folders cannot be created.
[[nodiscard]] StatusOr<std::unique_ptr<chaincode_support::ChaincodeRuntime>> NewChaincodeRuntime(
    ChaincodeBuilderSettings settings, std::shared_ptr<const chaincode_package::PackageStore> store,
    std::shared_ptr<common::log::Logger> logger);

}  // namespace weft::peer::chaincode_builders
