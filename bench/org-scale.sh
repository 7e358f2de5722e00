#!/usr/bin/env bash
# elbtls at organization scale (issue 13 item 5): an emulated AWS Organization in moto_server
# (127.0.0.1) of ACCOUNTS active accounts (the management account and ACCOUNTS-1 members, plus one
# closed member that must be skipped), each with PER_REGION load balancers in each of two regions
# (a third Classic HTTPS, the rest ALBs with an HTTPS and an HTTP-redirect listener), every TLS
# listener answered by one nginx (TLS13-1-2-2021-06-like, RSA certificate) behind
# bench/rttproxy.py adding RTT_MS (default 50) per round trip.
#
# Measures, each on the same moto state:
#   set-up      the fixture's wall time (moto answers one call at a time: minutes at full size)
#   inventory   `elbtls inventory --organization`: wall time, API calls (moto's request log)
#   one         `elbtls audit --organization`: wall, peak RSS, API calls, TCP connections
#   shards      SHARDS (default 4) `audit --shard K/SHARDS` processes at once, then
#               `report merge`: wall (start of the parts to the end of the merge), peak RSS of
#               each part and of the merge, API calls, connections; and whether the merged
#               report has the same listeners, verdicts and findings as the one-process run.
#
#   bench/org-scale.sh [ACCOUNTS [PER_REGION]]      default 50 100 (10,000 load balancers)
#   RTT_MS=0 bench/org-scale.sh                     no added round trip
#   EXTRA="--concurrency 64" bench/org-scale.sh     flags for every audit
#   SKIP=one|shards|inventory                       leave a measurement out (comma-separated)
#   ELBTLS_BIN=path                                 this binary instead of target/release/elbtls
#   WORKERS=3                                       fixture processes at once
#   PROXY_WORKERS=2                                 rttproxy processes (one Python thread
#                                                   forwards ~700 connections/s here)
#   KEEP=dir                                        keep the reports and logs in dir
#
# Needs .venv with moto (./scripts/test creates it) and nginx (installed here if missing). Only
# 127.0.0.1 is contacted; every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

accounts=${1:-50}
per_region=${2:-100}
rtt=${RTT_MS:-50}
shards=${SHARDS:-4}
skip=${SKIP:-}
regions=us-east-1,eu-west-1
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init org nginx
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

echo "elbtls $("$bin" --version | awk '{print $2}'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# moto with the organization.
start_moto
listen_port=$(free_port)
start=$(now)
made=$("$python" tests/aws_fixtures.py "$endpoint" org-bulk "$accounts" "$regions" "$per_region" \
    "$listen_port" "${WORKERS:-3}")
printf 'set-up: %s in %.1f s\n' "$made" "$(since "$start")"

# nginx as the policy, behind the delaying proxy.
start_nginx 8192
start_proxy "$listen_port" "$backend_port" "$rtt"
aws_env "$endpoint"
calls() { grep -c '"POST /' "$work/moto.log" || true; }
connections() {
    "$python" -c "import socket,json; s=socket.create_connection(('127.0.0.1',$control_port)); print(json.loads(s.makefile().readline())['accepted'].get('$listen_port', 0))"
}
rss_mb() { awk '/Maximum resident set size/ {printf "%.1f", $NF / 1024}' "$1"; }
moto_cpu() { ps -o times= -p "$moto_pid" | tr -d ' '; }
org=(--organization --region "$regions")
resolve=(--resolve "*:$listen_port:127.0.0.1")

# Warm moto's lazily imported backends (and the page cache) on one account.
"$bin" inventory --region "$regions" --format csv >/dev/null 2>&1 || true

if [[ ,$skip, != *,inventory,* ]]; then
    before=$(calls); cpu=$(moto_cpu); start=$(now)
    rows=$("$bin" inventory "${org[@]}" --format csv 2>"$work/inventory.err" | tail -n +2 | wc -l)
    printf 'inventory: %.1f s wall, %d API calls, %d listener rows (moto busy %s s before, %s s after)\n' \
        "$(since "$start")" "$(($(calls) - before))" "$rows" "$cpu" "$(moto_cpu)"
    grep -v '^$' "$work/inventory.err" | sed 's/^/  /' | head -5 || true
fi

if [[ ,$skip, != *,one,* ]]; then
    before=$(calls); conns=$(connections)
    set +e
    # shellcheck disable=SC2086
    /usr/bin/time -v -o "$work/one.time" "$bin" audit "${org[@]}" "${resolve[@]}" \
        --format json --output "$work/one.json" ${EXTRA:-} 2>"$work/one.err"
    code=$?
    set -e
    printf 'one process: %s wall, %s MB peak RSS, %d API calls, %d TCP connections, exit %d\n' \
        "$(awk '/Elapsed/ {print $NF}' "$work/one.time")" "$(rss_mb "$work/one.time")" \
        "$(($(calls) - before))" "$(($(connections) - conns))" "$code"
    grep -v '^$' "$work/one.err" | sed 's/^/  /' | head -5 || true
fi

if [[ ,$skip, != *,shards,* ]]; then
    before=$(calls); conns=$(connections); start=$(now)
    parts=()
    for k in $(seq "$shards"); do
        # shellcheck disable=SC2086
        /usr/bin/time -v -o "$work/part$k.time" "$bin" audit "${org[@]}" "${resolve[@]}" \
            --shard "$k/$shards" --format json --output "$work/part$k.json" ${EXTRA:-} \
            2>"$work/part$k.err" &
        parts+=($!)
    done
    codes=()
    for pid in "${parts[@]}"; do
        set +e; wait "$pid"; codes+=($?); set -e
    done
    parts_wall=$(since "$start")
    set +e
    /usr/bin/time -v -o "$work/merge.time" "$bin" report merge "$work"/part*.json \
        -o "$work/merged.json" 2>"$work/merge.err"
    merge_code=$?
    set -e
    printf '%d shards + merge: %.1f s wall (parts %.1f s, merge %s), peak RSS per part' \
        "$shards" "$(since "$start")" "$parts_wall" "$(awk '/Elapsed/ {print $NF}' "$work/merge.time")"
    for k in $(seq "$shards"); do printf ' %s' "$(rss_mb "$work/part$k.time")"; done
    printf ' MB, merge %s MB; %d API calls, %d TCP connections; exits %s, merge %d\n' \
        "$(rss_mb "$work/merge.time")" "$(($(calls) - before))" "$(($(connections) - conns))" \
        "${codes[*]}" "$merge_code"
    for k in $(seq "$shards"); do
        printf '  part %d: %s wall\n' "$k" "$(awk '/Elapsed/ {print $NF}' "$work/part$k.time")"
    done
    grep -hv '^$' "$work/merge.err" | sed 's/^/  /' | head -5 || true
fi

"$python" - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]

def load(name):
    path = os.path.join(work, name)
    return json.load(open(path)) if os.path.exists(path) else None

def summary(label, report):
    listeners = report["listeners"]
    tls = [l for l in listeners if l["protocol"] != "HTTP"]
    probed = [l for l in tls if l["probe"]["status"] == "probed"]
    verdicts = {}
    for l in listeners:
        verdicts[l["verdict"]] = verdicts.get(l["verdict"], 0) + 1
    conns = sum(l["probe"].get("connections") or 0 for l in probed)
    print(f"{label}: {len(listeners)} listeners ({len(tls)} TLS, {len(probed)} probed, "
          f"{conns / max(len(probed), 1):.1f} connections each), {len(report['failures'])} failures, "
          f"accounts {len({l['account'] for l in listeners})}; verdicts {verdicts}")

def facts(report):
    return {
        l["id"]: (l["verdict"], sorted((f["code"], f["subject"]) for f in l["findings"]))
        for l in report["listeners"]
    }

one, merged = load("one.json"), load("merged.json")
if one:
    summary("one process", one)
if merged:
    summary("merged", merged)
if one and merged:
    a, b = facts(one), facts(merged)
    same = a == b
    print(f"merged == one process (listeners, verdicts, findings): {same}")
    if not same:
        only = set(a) ^ set(b)
        differ = [k for k in set(a) & set(b) if a[k] != b[k]]
        print(f"  {len(only)} listeners in one only, {len(differ)} differ; e.g. {sorted(only)[:2]} {differ[:2]}")
PY
