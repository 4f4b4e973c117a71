#!/usr/bin/env bash
# Regenerates docs/screenshots: the app (sitevisit-tools --screenshots), offscreen, at tablet
# (800x1280) and laptop (1366x768) size, signed in to a demo server as the demo Assistance Lead.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${SITEVISIT_BUILD_DIR:-build}"
out="${1:-docs/screenshots}"
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$build_dir/sync/server/sitevisit-server" demo --data "$work/server" > /dev/null
"$build_dir/sync/server/sitevisit-server" serve --data "$work/server" --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/serve.out")
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
# The sign-in page, before anyone signs in.
"$build_dir/qml/sitevisit-tools" --db "$work/fresh.db" --server "$url" --screenshots "$out"
# ... with a private certificate authority chosen and plain http to another machine refused.
"$build_dir/qml/sitevisit-tools" --db "$work/fresh.db" --server "$url" --screenshots "$out" --pages signInTls
# A conflict for the conflicts page: two tablets of the lead rate the same indicator
# differently before either syncs.
cli="$build_dir/sync/client/sitevisit-cli"
for d in a b; do echo lead-demo-2026 | "$cli" --db "$work/$d.db" login "$url" lead@demo.sitevisit > /dev/null; done
"$cli" --db "$work/a.db" sync > /dev/null
school=$("$cli" --db "$work/a.db" export | grep -m1 -o '"school": "[^"]*"' | cut -d'"' -f4)
visit=$("$cli" --db "$work/a.db" put visit "{\"school\": \"$school\", \"kind\": \"monitoring\", \"rubric\": \"msv-2026-2027-elementary\", \"start_date\": \"$(date +%F)\"}" | grep -o '[0-9a-f-]\{36\}' | head -1)
obs=$("$cli" --db "$work/a.db" put observation "{\"visit\": \"$visit\", \"indicator\": \"msv-2026-2027-elementary/2.1\", \"rating\": 1}" | grep -o '[0-9a-f-]\{36\}' | head -1)
"$cli" --db "$work/a.db" sync > /dev/null
"$cli" --db "$work/b.db" sync > /dev/null
"$cli" --db "$work/a.db" put observation "{\"id\": \"$obs\", \"rating\": 2}" > /dev/null
"$cli" --db "$work/b.db" put observation "{\"id\": \"$obs\", \"rating\": 3}" > /dev/null
"$cli" --db "$work/a.db" sync > /dev/null
"$cli" --db "$work/b.db" sync > /dev/null
# Comments on that visit and on its rating of 2.1, for the visit's comments.
"$cli" --db "$work/a.db" put comment "{\"target_entity\": \"observation\", \"target\": \"$obs\", \"body\": \"Data meeting agendas seen for grades 3 and 4; grade 5 had none. Ask the coach for the missing one.\"}" > /dev/null
"$cli" --db "$work/a.db" put comment "{\"target_entity\": \"visit\", \"target\": \"$visit\", \"body\": \"Thank you for making time for the leadership team walkthrough.\"}" > /dev/null
"$cli" --db "$work/a.db" sync > /dev/null
# Then every page as the demo lead.
SITEVISIT_PASSWORD=lead-demo-2026 "$build_dir/qml/sitevisit-tools" --db "$work/lead.db" --server "$url" \
  --sign-in lead@demo.sitevisit --screenshots "$out"
SITEVISIT_PASSWORD=lead-demo-2026 "$build_dir/qml/sitevisit-tools" --db "$work/lead.db" --server "$url" \
  --sign-in lead@demo.sitevisit --screenshots "$out" --pages newVisit,signInAgain,nextStep,visitSummary,visitSteps,visitComments
# A refused change: tablet b submits the visit, then tablet a rates another indicator of it.
"$cli" --db "$work/b.db" put visit "{\"id\": \"$visit\", \"status\": \"submitted\"}" > /dev/null
"$cli" --db "$work/b.db" sync > /dev/null
"$cli" --db "$work/a.db" put observation "{\"visit\": \"$visit\", \"indicator\": \"msv-2026-2027-elementary/2.2\", \"rating\": 3}" > /dev/null
"$cli" --db "$work/a.db" sync > /dev/null || true
SITEVISIT_PASSWORD=lead-demo-2026 "$build_dir/qml/sitevisit-tools" --db "$work/a.db" --server "$url" \
  --sign-in lead@demo.sitevisit --screenshots "$work/refused-shots" --pages refused > /dev/null
for size in tablet laptop; do cp "$work/refused-shots/refused-$size.png" "$out/refused-$size.png"; done
echo "wrote $out/refused-tablet.png $out/refused-laptop.png"
# The receiver's review queue (every school, waiting first) and benchmark dashboard.
SITEVISIT_PASSWORD=receiver-demo-2026 "$build_dir/qml/sitevisit-tools" --db "$work/receiver.db" --server "$url" \
  --sign-in receiver@demo.sitevisit --screenshots "$work/receiver-shots" --pages review,dashboard,preview > /dev/null
for size in tablet laptop; do
  cp "$work/receiver-shots/review-$size.png" "$out/review-$size.png"
  cp "$work/receiver-shots/dashboard-$size.png" "$out/receiver-dashboard-$size.png"
  cp "$work/receiver-shots/preview-$size.png" "$out/pdf-preview-$size.png"
done
echo "wrote review-*, receiver-dashboard-* and pdf-preview-* to $out"
# The principal's annual reflection.
SITEVISIT_PASSWORD=principal-demo-2026 "$build_dir/qml/sitevisit-tools" --db "$work/principal.db" --server "$url" \
  --sign-in principal@demo.sitevisit --screenshots "$work/principal-shots" \
  --pages reflection,reflectionDecisions,plan,planObjective > /dev/null
for size in tablet laptop; do
  cp "$work/principal-shots/reflection-$size.png" "$out/reflection-$size.png"
  cp "$work/principal-shots/reflectionDecisions-$size.png" "$out/reflection-decisions-$size.png"
  cp "$work/principal-shots/plan-$size.png" "$out/plan-editor-$size.png"
  cp "$work/principal-shots/planObjective-$size.png" "$out/plan-objective-$size.png"
done
echo "wrote reflection-*, reflection-decisions-*, plan-editor-* and plan-objective-* to $out"
# The district leader's caseload and the district's own plan, next steps and plan editor.
SITEVISIT_PASSWORD=district-demo-2026 "$build_dir/qml/sitevisit-tools" --db "$work/district.db" --server "$url" \
  --sign-in district@demo.sitevisit --screenshots "$work/district-shots" \
  --pages home,district,districtNext,districtPlan > /dev/null
for size in tablet laptop; do
  cp "$work/district-shots/home-$size.png" "$out/district-caseload-$size.png"
  cp "$work/district-shots/district-$size.png" "$out/district-$size.png"
  cp "$work/district-shots/districtNext-$size.png" "$out/district-next-$size.png"
  cp "$work/district-shots/districtPlan-$size.png" "$out/district-plan-$size.png"
done
echo "wrote district-caseload-*, district-*, district-next-* and district-plan-* to $out"
# A principal's school page (readings can be recorded there), and the home page in the dark theme.
SITEVISIT_PASSWORD=principal-demo-2026 "$build_dir/qml/sitevisit-tools" --db "$work/principal.db" --server "$url" \
  --sign-in principal@demo.sitevisit --screenshots "$work/principal-shots" --pages school,newEvidence,camera,meeting,meetingSteps \
  --camera test-card > /dev/null
for size in tablet laptop; do
  cp "$work/principal-shots/school-$size.png" "$out/principal-school-$size.png"
  cp "$work/principal-shots/newEvidence-$size.png" "$out/new-evidence-$size.png"
  cp "$work/principal-shots/camera-$size.png" "$out/camera-$size.png"
  cp "$work/principal-shots/meeting-$size.png" "$out/meeting-$size.png"
  cp "$work/principal-shots/meetingSteps-$size.png" "$out/meeting-steps-$size.png"
done
SITEVISIT_PASSWORD=lead-demo-2026 "$build_dir/qml/sitevisit-tools" --db "$work/lead.db" --server "$url" \
  --sign-in lead@demo.sitevisit --screenshots "$work/dark-shots" --pages home --dark > /dev/null
for size in tablet laptop; do cp "$work/dark-shots/home-$size.png" "$out/home-dark-$size.png"; done
echo "wrote principal-school-*, new-evidence-*, camera-* and home-dark-* to $out"
# The regional director's region, by district and by lead, and a lead's caseload.
SITEVISIT_PASSWORD=director-demo-2026 "$build_dir/qml/sitevisit-tools" --db "$work/director.db" --server "$url" \
  --sign-in director@demo.sitevisit --screenshots "$out" --pages region,regionLeads,caseloadDialog,reviewVisit
# A team visit for the team ratings page: Lena and Leo each rate Bayside Elementary on their own
# device and mark their ratings done; the page is Lena's.
echo lead2-demo-2026 | "$cli" --db "$work/leo.db" login "$url" lead2@demo.sitevisit > /dev/null
id_of() { "$cli" --db "$work/a.db" export --csv "$1" | grep -m1 "$2" | cut -d, -f1; }
lena=$(id_of user ,lead@demo.sitevisit,)
leo=$(id_of user ,lead2@demo.sitevisit,)
bayside=$(id_of school ",Bayside Elementary,")
team_visit=$("$cli" --db "$work/a.db" put visit "{\"school\": \"$bayside\", \"kind\": \"monitoring\", \"rubric\": \"msv-2026-2027-elementary\", \"start_date\": \"$(date +%F)\", \"team\": [\"$lena\", \"$leo\"]}")
rate_all() { # DB LEVELS...: levels of indicators 1.1, 1.2, ... in order
  local db=$1 n=1; shift
  for level in "$@"; do "$cli" --db "$db" rate "$team_visit" "msv-2026-2027-elementary/1.$n" "$level" > /dev/null; n=$((n + 1)); done
  "$cli" --db "$db" rate-done "$team_visit" > /dev/null
  "$cli" --db "$db" sync > /dev/null
}
rate_all "$work/a.db" 2 3 1 2
"$cli" --db "$work/leo.db" sync > /dev/null
rate_all "$work/leo.db" 2 2 3 1
SITEVISIT_PASSWORD=lead-demo-2026 "$build_dir/qml/sitevisit-tools" --db "$work/team.db" --server "$url" \
  --sign-in lead@demo.sitevisit --screenshots "$work/team-shots" --pages "teamRatings:$team_visit" > /dev/null
for size in tablet laptop; do cp "$work/team-shots/teamRatings-$team_visit-$size.png" "$out/teamRatings-$size.png"; done
echo "wrote $out/teamRatings-tablet.png $out/teamRatings-laptop.png"
