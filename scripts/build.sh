#!/usr/bin/env bash
# Configures and builds everything into build/ (or $SITEVISIT_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${SITEVISIT_BUILD_DIR:-build}"
jobs="${SITEVISIT_JOBS:-$(nproc)}"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
fi
cmake --build "$build_dir" -j "$jobs"
