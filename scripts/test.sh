#!/usr/bin/env bash
# Install what is missing, build, and run the whole test suite with ctest; then the server,
# core and protocol again under AddressSanitizer and UndefinedBehaviorSanitizer
# (SITEVISIT_SANITIZE=0 skips that second pass). The end-to-end suite runs on SQLite and on a
# PostgreSQL cluster the tests start; the sanitizer pass runs a part of it on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
bash scripts/install-deps.sh
# Line tables only (-g1): stack traces keep their files and lines, and the build is a third
# shorter than with full debug information.
bash scripts/build.sh -DSITEVISIT_WERROR=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
build_dir="${SITEVISIT_BUILD_DIR:-build}"
jobs="${SITEVISIT_JOBS:-$(nproc)}"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 600

if [ "${SITEVISIT_SANITIZE:-1}" = "1" ]; then
  san_dir="${build_dir}-sanitize"
  if [ ! -f "$san_dir/CMakeCache.txt" ]; then
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S . -B "$san_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DSITEVISIT_SERVER_ONLY=ON \
      -DSITEVISIT_BUILD_BENCH=OFF -DSITEVISIT_WERROR=ON -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
      "-DSITEVISIT_PG_FILTER=SharedStore.*:Ingest.*:PullBytes.*:StoreLifecycle.*:SignIn.*" \
      -DCMAKE_CXX_FLAGS="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
  fi
  cmake --build "$san_dir" -j "$jobs"
  # A small quarantine keeps the memory figures of the listener tests meaningful.
  ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=8:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1" \
    ctest --test-dir "$san_dir" --output-on-failure -j "$jobs" --timeout 900
fi
