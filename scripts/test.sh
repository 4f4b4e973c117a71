#!/usr/bin/env bash
# Install what is missing, build, and run the whole test suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
bash scripts/install-deps.sh
bash scripts/build.sh
build_dir="${SITEVISIT_BUILD_DIR:-build}"
ctest --test-dir "$build_dir" --output-on-failure -j "${SITEVISIT_JOBS:-$(nproc)}" --timeout 600
