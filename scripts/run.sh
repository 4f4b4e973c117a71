#!/usr/bin/env bash
# The main job: install what is missing, build, and run the demo of what Site Visit's core can
# do on a real SQLite store (a school's plan, benchmarks with readings and their derived
# status, a site visit with ratings, the outbox waiting for the server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
build_dir="${SITEVISIT_BUILD_DIR:-build}"
exec "$build_dir/core/sitevisit-demo" "$@"
