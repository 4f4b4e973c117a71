#!/usr/bin/env bash
# Fuzzes the server's request decoder with libFuzzer for a bounded time (default 60 s).
# Usage: bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
command -v clang++ >/dev/null || { echo "fuzz.sh: needs clang (apt-get install clang libclang-rt-14-dev)"; exit 2; }
build_dir="${SITEVISIT_FUZZ_BUILD_DIR:-build-fuzz}"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSITEVISIT_FUZZ=ON -DSITEVISIT_SERVER_ONLY=ON -DSITEVISIT_BUILD_TESTS=OFF -DSITEVISIT_BUILD_BENCH=OFF
fi
cmake --build "$build_dir" --target request_decoder_fuzz -j "$(nproc)"
corpus="$build_dir/fuzz-corpus"
mkdir -p "$corpus"
cp -n tests/fuzz/corpus/* "$corpus"/ 2>/dev/null || true
"$build_dir/tests/fuzz/request_decoder_fuzz" -max_total_time="$seconds" -max_len=65536 "$corpus"
