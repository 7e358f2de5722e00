#!/usr/bin/env bash
# elbtls audit benchmark: an emulated account (moto_server on 127.0.0.1) with N load balancers over
# 4 regions (2/3 ALBs with an HTTPS and an HTTP-redirect listener, 1/3 Classic HTTPS), every TLS
# listener answered by one nginx (policy ELBSecurityPolicy-TLS13-1-2-2021-06, RSA certificate)
# behind bench/rttproxy.py adding a round trip of RTT_MS (default 50 ms). Every listener's DNS name
# is mapped to the proxy with `--resolve '*:PORT:127.0.0.1'`, so each listener is a full probe
# (versions, suites, order, groups, two certificate handshakes).
# Reports wall time, CPU time and peak RSS of elbtls, TCP connections (counted by the proxy) and the verdicts.
#
#   bench/audit.sh [N]                 N load balancers, default 1000
#   RTT_MS=0 bench/audit.sh            no added round trip
#   EXTRA="--concurrency 64" bench/audit.sh
#   PROXY_WORKERS=1 bench/audit.sh      proxy processes (default 2: one forwards ~700 connections/s)
#
# Needs .venv with moto (./scripts/test creates it) and nginx (installed here if missing). Only
# 127.0.0.1 is contacted; every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-1000}
rtt=${RTT_MS:-50}
regions=us-east-1,us-west-2,eu-west-1,ap-southeast-2
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init audit nginx

# moto with the account.
start_moto
listen_port=$(free_port)
made=$("$python" tests/aws_fixtures.py "$endpoint" bulk "$count" "$regions" "$listen_port")
echo "fixture: $made"

# nginx as the policy, behind the delaying proxy.
start_nginx 4096
start_proxy "$listen_port" "$backend_port" "$rtt"
aws_env "$endpoint"
# Warm moto's lazily imported backends.
"$bin" inventory --region "$regions" --format csv >/dev/null || true

set +e
# shellcheck disable=SC2086
/usr/bin/time -v -o "$work/time.txt" "$bin" audit --region "$regions" --resolve "*:$listen_port:127.0.0.1" \
    --format json --output "$work/report.json" ${EXTRA:-}
code=$?
mkdir -p bench/results && cp "$work/report.json" bench/results/audit-latest.json 2>/dev/null || true
set -e
connections=$("$python" -c "import socket,json; s=socket.create_connection(('127.0.0.1',$control_port)); print(json.loads(s.makefile().readline())['accepted'].get('$listen_port', 0))" 2>/dev/null || echo "?")
wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
rss_kb=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
cpu=$(awk -F': ' '/User time|System time/ {t += $2} END {printf "%.1f", t}' "$work/time.txt")
"$python" - "$work/report.json" "$wall" "$rss_kb" "$connections" "$code" "$rtt" "$cpu" <<'PY'
import json, sys
path, wall, rss_kb, connections, code, rtt, cpu = sys.argv[1:]
report = json.load(open(path))
listeners = report["listeners"]
tls = [l for l in listeners if l["protocol"] != "HTTP"]
verdicts = {}
for l in listeners:
    verdicts[l["verdict"]] = verdicts.get(l["verdict"], 0) + 1
probed = sum(1 for l in tls if l["probe"]["status"] == "probed")
print(f"audit: {len(listeners)} listeners ({len(tls)} TLS, {probed} probed), RTT {rtt} ms")
print(f"  wall {wall}, elbtls CPU {cpu} s, peak RSS {int(rss_kb) / 1024:.1f} MB, {connections} TCP "
      f"connections ({int(connections) / max(probed, 1):.1f} per listener), exit {code}")
print(f"  verdicts: {verdicts}")
PY
