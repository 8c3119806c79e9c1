#!/usr/bin/env bash
# Set-up, the layout check (.ci/check_layout.sh), build, and every test through CTest
# (unit, conformance, integration, interop, kafka, bench: tools/bench/run.sh's ~80 s smoke run).
# Extra arguments go to ctest, e.g. `./deploy/test.sh -L unit`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$repo/deploy/setup.sh"
"$repo/.ci/check_layout.sh"
"$repo/deploy/build.sh"
cd "${WEFT_BUILD_DIR:-$repo/build}"
ctest --output-on-failure -j "$(nproc)" "$@"
