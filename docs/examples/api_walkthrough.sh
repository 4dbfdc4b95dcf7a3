#!/usr/bin/env bash
# The API by hand, end to end, against `roster serve` on port 8765 (SQLite in a
# temporary directory, or DB=<SQLAlchemy URL>): create a planner key, solve
# 2026-W49, poll the job, publish it, read a doctor's week and calendar feed,
# unmet demand with reasons, and a refusal without a key. Needs curl and python3.
#   docs/examples/api_walkthrough.sh
set -eu
cd "$(dirname "$0")/../.."
WORK=$(mktemp -d)
export ROSTER_DATABASE_URL="${DB:-sqlite:///$WORK/roster.db}" ROSTER_RUNS_DIR=$WORK/runs
R=${ROSTER:-.venv/bin/roster}
echo '$ roster db upgrade'; $R db upgrade
echo '$ roster keys create --name planner-li --role planner'
KEY=$($R keys create --name planner-li --role planner | tail -1 | awk '{print $NF}')
echo "${KEY:0:12}…"
$R serve --port 8765 > "$WORK"/serve.log 2>&1 &
SERVER=$!; trap 'kill $SERVER; rm -rf "$WORK"' EXIT
until curl -sf localhost:8765/health >/dev/null; do sleep 0.3; done
H="X-API-Key: $KEY"; B=http://127.0.0.1:8765
echo '$ curl -s -X POST $B/solves -H "$H" -H content-type:application/json -d {"week":"2026-W49"}'
JOB=$(curl -s -X POST $B/solves -H "$H" -H 'content-type: application/json' -d '{"week":"2026-W49"}' -w '\nHTTP %{http_code}\n' | tee /dev/stderr | head -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while :; do
  S=$(curl -s $B/solves/$JOB -H "$H"); echo "$S" | python3 -c 'import json,sys; j=json.load(sys.stdin); p=j["progress"] or {}; print(" poll:", j["status"], {k: p.get(k) for k in ("parts_done","parts_total","level","value","bound")}, "L1 so far:", (p.get("parts_done_levels") or {}).get("unmet"))'
  echo "$S" | grep -q '"status":"\(queued\|running\)"' || break; sleep 2
done
echo "$S" | python3 -m json.tool | head -40
echo '$ curl -s -X POST $B/solves/$JOB/publish -H "$H"'
curl -s -X POST $B/solves/$JOB/publish -H "$H" -w '\nHTTP %{http_code}\n'
echo '$ curl -s "$B/doctors/H01-CARD-01/assignments?week=2026-W49" -H "$H"'
curl -s "$B/doctors/H01-CARD-01/assignments?week=2026-W49" -H "$H" | python3 -c 'import json,sys; j=json.load(sys.stdin); w=j["weeks"][0]; print("doctor", j["doctor_id"], "week", w["week"], "version", w["version"]); [print(" ", a) for a in w["sessions"]]'
echo '$ curl -s -X POST $B/doctors/H01-CARD-01/calendar-token -H "$H"'
TOK=$(curl -s -X POST $B/doctors/H01-CARD-01/calendar-token -H "$H" | tee /dev/stderr | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'); echo
echo '$ curl -s "$B/doctors/H01-CARD-01/calendar.ics?token=…" | head -20'
curl -s "$B/doctors/H01-CARD-01/calendar.ics?token=$TOK" | head -22
echo '$ curl -s "$B/weeks/2026-W49/unmet?limit=3" -H "$H"'
curl -s "$B/weeks/2026-W49/unmet?limit=3" -H "$H" | python3 -m json.tool | head -45
echo '$ curl -s $B/weeks/2026-W49/unmet   (no key)'
curl -s $B/weeks/2026-W49/unmet -w '\nHTTP %{http_code}\n'
