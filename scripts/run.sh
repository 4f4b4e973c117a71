#!/usr/bin/env bash
# The main job: install what is missing, build, start the server on demo data (embedded
# SQLite) and open the app signed in as the demo Assistance Lead. With no display the app runs
# offscreen and writes screenshots of its pages (to ./screenshots, or the folder given): that
# is sitevisit-tools, the same app start-up and QML with the screenshot mode.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
build_dir="${SITEVISIT_BUILD_DIR:-build}"
work="${SITEVISIT_RUN_DIR:-$(mktemp -d)}"
mkdir -p "$work"
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT

if [ ! -f "$work/server/server.db" ]; then
  "$build_dir/sync/server/sitevisit-server" demo --data "$work/server"
fi
"$build_dir/sync/server/sitevisit-server" serve --data "$work/server" --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/serve.out")
echo "server: $url (data in $work/server)"

export SITEVISIT_PASSWORD=lead-demo-2026
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  out="${1:-screenshots}"
  echo "no display: running the app offscreen and writing screenshots to $out/"
  QT_QPA_PLATFORM=offscreen "$build_dir/qml/sitevisit-tools" --db "$work/lead.db" --server "$url" \
    --sign-in lead@demo.sitevisit --screenshots "$out"
else
  "$build_dir/qml/sitevisit" --db "$work/lead.db" --server "$url" --sign-in lead@demo.sitevisit
fi
