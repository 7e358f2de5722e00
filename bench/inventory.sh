#!/usr/bin/env bash
# elbtls inventory benchmark: an emulated account (moto_server on 127.0.0.1) with N load balancers
# spread over 4 regions (2/3 ALBs with an HTTPS and an HTTP-redirect listener, 1/3 Classic HTTPS with
# a Reference-Security-Policy policy), inventoried by the release binary. Reports wall time and the
# API calls elbtls made (counted in moto's request log), at the default concurrency and at 1.
#
#   bench/inventory.sh [N]            N load balancers, default 1000
#   ELBTLS_BIN=path bench/inventory.sh   use this binary instead of building target/release/elbtls
#   RTT_MS=50 bench/inventory.sh         round trip added by bench/rttproxy.py (default 20; 0: skip)
#   EXTRA="--api-rate 100" bench/inventory.sh   flags for every run
#
# Needs .venv with moto (./scripts/test creates it). Only 127.0.0.1 is contacted; the moto_server
# it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-1000}
regions=us-east-1,us-west-2,eu-west-1,ap-southeast-2
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init inventory
start_moto
log=$work/moto.log

setup_start=$(date +%s.%N)
made=$("$python" tests/aws_fixtures.py "$endpoint" bulk "$count" "$regions")
setup_end=$(date +%s.%N)
printf 'fixture: %s (setup %.1f s)\n' "$made" "$(echo "$setup_end - $setup_start" | bc)"

aws_env "$endpoint"

calls() { grep -c '"POST /' "$log" || true; }

run() {
    local label=$1; shift
    local before after start end rows
    before=$(calls)
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    rows=$("$bin" inventory --region "$regions" --format csv "$@" ${EXTRA:-} | tail -n +2 | wc -l)
    end=$(date +%s.%N)
    after=$(calls)
    printf '%-22s %6.2f s wall, %5d API calls, %5d listener rows\n' \
        "$label" "$(echo "$end - $start" | bc)" "$((after - before))" "$rows"
}

# Warm moto's lazily imported backends, so the first measured run is not charged for them.
"$bin" inventory --region "$regions" --format csv >/dev/null
run "concurrency 8 (default)"
run "concurrency 8 (again)"
run "concurrency 1" --api-concurrency 1
# The runs above keep to AWS's documented ELB pace (--api-rate 10: 10 calls a second per account,
# region and API after a burst of 40); moto has no such limit, and this run shows what it can answer.
run "unpaced (--api-rate 10000)" --api-rate 10000

# Over a real link every call costs a round trip, which is what overlapping regions and load
# balancers saves: the same runs through bench/rttproxy.py (a delaying TCP proxy on loopback).
if [[ -f bench/rttproxy.py && -n ${RTT_MS:=20} && $RTT_MS != 0 ]]; then
    proxy_port=$(free_port)
    PROXY_WORKERS=1 start_proxy "$proxy_port" "$moto_port" "$RTT_MS"
    export AWS_ENDPOINT_URL=http://127.0.0.1:$proxy_port
    run "rtt ${RTT_MS}ms, conc. 8"
    run "rtt ${RTT_MS}ms, conc. 1" --api-concurrency 1
fi
