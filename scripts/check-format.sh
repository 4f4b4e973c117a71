#!/usr/bin/env bash
# Fails, naming each file, when a tracked C++ file differs from what the repo's .clang-format
# makes of it. Fix with: git ls-files '*.cpp' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
fmt="${CLANG_FORMAT:-clang-format}"
if ! command -v "$fmt" >/dev/null; then
  echo "check-format: $fmt is not installed (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
bad=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.h')
else
  mapfile -t files < <(find core sync platform qml tests -name '*.cpp' -o -name '*.h')
fi
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  "$fmt" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: ${#bad[@]} file(s) differ from .clang-format:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "fix with: clang-format -i FILE..." >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
