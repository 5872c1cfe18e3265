#!/usr/bin/env bash
# Load test of the read path at size, SQLite and PostgreSQL side by side: a
# signed-in customer's dashboard and one of their order pages on a database
# of a million orders (100,000 customers, with inquiries and timelines: see
# bench/seed), each against echo serving a fixed 5 KB page in the same run,
# with wrk (64 connections, 2 threads, 15 s).
#
# Usage: bash bench/run.sh [orders]          (default 1000000)
#   BENCH_DATABASES  "sqlite postgres" (default: both; postgres needs psql)
#   BENCH_POSTGRES   server URL to create the bench database on
#                    (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
#   BENCH_EMAIL      who signs in (default bench1@example.com, who has orders/100000 orders;
#                    runs close together hit the per-address sign-in limit: use bench2@…)
#   BENCH_DIR        where databases, binaries and logs go (default /tmp/kedja-bench)
# A database is seeded once and kept for later runs. Needs wrk (installed
# with apt-get when missing). Everything runs on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
orders="${1:-1000000}"
customers=$((orders / 10 > 0 ? orders / 10 : 1))
work="${BENCH_DIR:-/tmp/kedja-bench}"
email="${BENCH_EMAIL:-bench1@example.com}"
pgbase="${BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
dbs="${BENCH_DATABASES:-sqlite postgres}"
mkdir -p "$work"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
CGO_ENABLED=0 go build -o "$work/kedja" .
go build -o "$work/echo5k" ./bench/echo5k
go build -o "$work/seed" ./bench/seed

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# wrkrun URL [header]: prints "req/s p50 p99" of a 15 s run.
wrkrun() {
  local out
  if [ $# -gt 1 ]; then out=$(wrk -t2 -c64 -d15s --latency -H "$2" "$1"); else out=$(wrk -t2 -c64 -d15s --latency "$1"); fi
  if echo "$out" | grep -q 'Non-2xx'; then echo "$out" | grep 'Non-2xx' >&2; fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1 == "50%" {print $2}') $(echo "$out" | awk '$1 == "99%" {print $2}')"
}

summary=()
for db in $dbs; do
  case "$db" in
    sqlite)
      url="sqlite://$work/bench-$orders.db"
      marker="$work/bench-$orders.db.seeded" ;;
    postgres)
      command -v psql >/dev/null || { echo "postgres: no psql, skipped"; continue; }
      name="kedja_bench_$orders"
      url="$(echo "$pgbase" | sed -E "s#/[^/?]+(\?|$)#/$name\1#")"
      marker="$work/pg-$orders.seeded"
      if [ ! -f "$marker" ]; then
        psql "$pgbase" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" && psql "$pgbase" -qc "CREATE DATABASE $name"
      fi ;;
    *) echo "unknown database $db"; exit 2 ;;
  esac
  if [ ! -f "$marker" ]; then
    if [ "$db" = sqlite ]; then rm -f "$work/bench-$orders.db" "$work/bench-$orders.db-wal" "$work/bench-$orders.db-shm"; fi
    echo "== $db: seeding $orders orders for $customers customers =="
    /usr/bin/time -f "seed: %e s, max RSS %M KB" "$work/seed" --database-url "$url" --orders "$orders" --customers "$customers"
    touch "$marker"
  fi

  log="$work/serve-$db.log"
  KEDJA_DATABASE_URL="$url" KEDJA_ADDR=127.0.0.1:8090 KEDJA_BASE_URL=http://127.0.0.1:8090 KEDJA_SMTP_URL= \
    "$work/kedja" serve > "$log" 2>&1 &
  kpid=$!; pids+=("$kpid")
  "$work/echo5k" 127.0.0.1:8081 > /dev/null 2>&1 &
  epid=$!; pids+=("$epid")
  for _ in $(seq 1 100); do curl -fs http://127.0.0.1:8090/readyz >/dev/null 2>&1 && break; sleep 0.2; done
  sleep 1
  echo "== $db: idle RSS of kedja: $(awk '/VmRSS/ {print $2, $3}' /proc/$kpid/status)"

  # Sign in through the real flow; with no SMTP server the link is in the log.
  jar="$work/jar-$db"; rm -f "$jar"
  curl -s -c "$jar" -b "$jar" http://127.0.0.1:8090/login > /dev/null
  csrf=$(awk '$6 ~ /kedja_csrf$/ {print $7}' "$jar")
  curl -s -c "$jar" -b "$jar" -d "email=$email&_csrf=$csrf" http://127.0.0.1:8090/login > /dev/null
  for _ in $(seq 1 300); do grep -q '/auth/' "$log" && break; sleep 0.1; done
  link=$(grep -o 'http://127.0.0.1:8090/auth/[A-Za-z0-9_-]*' "$log" | tail -1 || true)
  if [ -z "$link" ]; then echo "$db: no sign-in link in $log within 30 s"; exit 1; fi
  curl -s -c "$jar" -b "$jar" -d "_csrf=$csrf" "$link" > /dev/null
  cookie=$(awk '$6 == "kedja" || $6 ~ /kedja_csrf$/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar")
  page=$(curl -s -b "$cookie" http://127.0.0.1:8090/)
  status=$(curl -s -o /dev/null -w '%{http_code}' -b "$cookie" http://127.0.0.1:8090/)
  ref=$(echo "$page" | grep -o 'href="/orders/[^"#/]*"' | head -1 | sed -E 's#href="/orders/([^"]*)"#\1#')
  echo "$db: dashboard HTTP $status, $(echo "$page" | wc -c) bytes, $(echo "$page" | grep -o 'href="/orders/' | wc -l) order links; order page /orders/$ref"
  if [ "$status" != 200 ] || [ -z "$ref" ]; then echo "$db: not signed in, or no order on the dashboard (see $log)"; exit 1; fi

  read -r e_rps e_p50 e_p99 <<< "$(wrkrun http://127.0.0.1:8081/)"
  read -r d_rps d_p50 d_p99 <<< "$(wrkrun http://127.0.0.1:8090/ "Cookie: $cookie")"
  read -r o_rps o_p50 o_p99 <<< "$(wrkrun "http://127.0.0.1:8090/orders/$ref" "Cookie: $cookie")"
  echo "== $db: RSS of kedja after load: $(awk '/VmRSS/ {print $2, $3}' /proc/$kpid/status)"
  pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100 * a / b}'; }
  summary+=("$(printf '%-9s %9s %9s %9s %6s %9s %9s %6s %9s' "$db" "$e_rps" "$e_p99" "$d_rps" "$(pct "$d_rps" "$e_rps")" "$d_p99" "$o_rps" "$(pct "$o_rps" "$e_rps")" "$o_p99")")
  kill "$kpid" "$epid" 2>/dev/null || true
  wait "$kpid" "$epid" 2>/dev/null || true
  pids=()
done

echo
echo "Read path at $orders orders ($customers customers), wrk -t2 -c64 -d15s, req/s and p99; % of echo in the same run"
printf '%-9s %9s %9s %9s %6s %9s %9s %6s %9s\n' database echo p99 dashboard "%" p99 order "%" p99
for line in "${summary[@]}"; do echo "$line"; done
