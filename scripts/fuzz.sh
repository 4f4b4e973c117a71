#!/usr/bin/env bash
# Fuzzes a decoder with libFuzzer for a bounded time (default 60 s): the server's request
# decoder (server, the default) or the device's answer decoders (device).
# Usage: bash scripts/fuzz.sh [SECONDS] [server|device]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
which="${2:-server}"
case "$which" in
  server) target=request_decoder_fuzz; seeds=tests/fuzz/corpus ;;
  device) target=device_decoder_fuzz; seeds=tests/fuzz/corpus-device ;;
  *) echo "fuzz.sh: say server or device"; exit 2 ;;
esac
command -v clang++ >/dev/null || { echo "fuzz.sh: needs clang (apt-get install clang libclang-rt-14-dev)"; exit 2; }
build_dir="${SITEVISIT_FUZZ_BUILD_DIR:-build-fuzz}"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSITEVISIT_FUZZ=ON -DSITEVISIT_SERVER_ONLY=ON -DSITEVISIT_BUILD_TESTS=OFF -DSITEVISIT_BUILD_BENCH=OFF
fi
cmake --build "$build_dir" --target "$target" -j "$(nproc)"
corpus="$build_dir/fuzz-corpus-$which"
mkdir -p "$corpus"
cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
"$build_dir/tests/fuzz/$target" -max_total_time="$seconds" -max_len=65536 "$corpus"
