#!/usr/bin/env bash
# Load test: a signed-in customer's dashboard on a database of a million
# orders against echo serving a fixed 5 KB page, in the same run, with wrk
# (64 connections, 2 threads). Usage: bash bench/run.sh [orders]
# BENCH_EMAIL picks who signs in (default the demo customer; runs close
# together hit the per-address sign-in limit, so use bench1@example.com, …).
# Needs wrk (apt-get install wrk). Everything runs on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
orders="${1:-1000000}"
work="${BENCH_DIR:-/tmp/kedja-bench}"
mkdir -p "$work"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
CGO_ENABLED=0 go build -o "$work/kedja" .
go build -o "$work/echo5k" ./bench/echo5k
db="$work/bench-$orders.db"
if [ ! -f "$db" ]; then
  go run ./bench/seed --database-url "sqlite://$db" --orders "$orders" --customers $((orders / 10 + 1))
fi
export KEDJA_DATABASE_URL="sqlite://$db" KEDJA_ADDR=127.0.0.1:8090 KEDJA_BASE_URL=http://127.0.0.1:8090
"$work/kedja" serve > "$work/serve.log" 2>&1 &
kpid=$!
"$work/echo5k" 127.0.0.1:8081 > /dev/null 2>&1 &
epid=$!
trap 'kill $kpid $epid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs http://127.0.0.1:8090/healthz >/dev/null 2>&1 && break; sleep 0.2; done
sleep 1
echo "idle RSS of kedja: $(awk '/VmRSS/ {print $2, $3}' /proc/$kpid/status)"

# Sign in as the demo customer through the real flow; the link is in the log.
jar="$work/jar"; rm -f "$jar"
curl -s -c "$jar" -b "$jar" http://127.0.0.1:8090/login > /dev/null
csrf=$(awk '$6 ~ /kedja_csrf$/ {print $7}' "$jar")
curl -s -c "$jar" -b "$jar" -d "email=${BENCH_EMAIL:-ann.jensen@example.com}&_csrf=$csrf" http://127.0.0.1:8090/login > /dev/null
for _ in $(seq 1 50); do grep -q 'auth/' "$work/serve.log" && break; sleep 0.1; done
link=$(grep -o 'http://127.0.0.1:8090/auth/[A-Za-z0-9_-]*' "$work/serve.log" | tail -1)
curl -s -c "$jar" -b "$jar" -d "_csrf=$csrf" "$link" > /dev/null
# Both cookies, as the customer's browser sends them (session and CSRF).
cookie=$(awk '$6 == "kedja" || $6 ~ /kedja_csrf$/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar")
size=$(curl -s -b "$cookie" http://127.0.0.1:8090/ | wc -c)
status=$(curl -s -o /dev/null -w '%{http_code}' -b "$cookie" http://127.0.0.1:8090/)
echo "dashboard: HTTP $status, $size bytes"
[ "$status" = 200 ] || { echo "not signed in"; exit 1; }

echo "== echo, fixed 5 KB page =="
wrk -t2 -c64 -d15s --latency http://127.0.0.1:8081/ | grep -E 'Requests/sec|99%|50%'
echo "== kedja, its stylesheet (a static 12 KB file, for the machine's own tail) =="
wrk -t2 -c64 -d15s --latency http://127.0.0.1:8090/static/css/kedja.css | grep -E 'Requests/sec|99%|50%'
echo "== kedja, signed-in dashboard ($orders orders) =="
wrk -t2 -c64 -d15s --latency -H "Cookie: $cookie" http://127.0.0.1:8090/ | grep -E 'Requests/sec|99%|50%|Non-2xx'
echo "RSS of kedja after load: $(awk '/VmRSS/ {print $2, $3}' /proc/$kpid/status)"
