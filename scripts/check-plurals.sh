#!/usr/bin/env bash
# Every text that takes a count (tr("%n ...", ..., n) in C++, qsTr("%n ...", "", n) in QML) has
# its English plural forms in assets/translations/sitevisit_en.ts; without them the app would
# show "2 benchmark(s)".
set -euo pipefail
cd "$(dirname "$0")/.."
ts=assets/translations/sitevisit_en.ts
missing=0
while IFS= read -r text; do
    escaped=${text//&/&amp;}
    if ! grep -qF "<source>$escaped</source>" "$ts"; then
        echo "check-plurals: no plural forms for \"$text\" in $ts"
        missing=1
    fi
done < <(grep -rhoE '(qsTr|tr)\("[^"]*%n[^"]*"' qml | sed -E 's/^(qsTr|tr)\("//; s/"$//' | sort -u)
[ "$missing" = 0 ] && echo "check-plurals: every counted text has its plural forms"
exit "$missing"
