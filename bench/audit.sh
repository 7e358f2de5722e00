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
python=.venv/bin/python
[[ -x $python ]] || { echo "no .venv: run ./scripts/test first (it installs moto)" >&2; exit 2; }
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || {
    sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get install -y -qq nginx >&2
}
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 2; }

bin=${ELBTLS_BIN:-}
if [[ -z $bin ]]; then
    cargo build --release --locked --quiet --bin elbtls
    bin=target/release/elbtls
fi

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d -t elbtls-bench-audit.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# moto with the account.
moto_port=$(free_port)
.venv/bin/moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=($!)
endpoint=http://127.0.0.1:$moto_port
for _ in $(seq 100); do curl -fsS -o /dev/null "$endpoint/moto-api/" 2>/dev/null && break; sleep 0.1; done
listen_port=$(free_port)
made=$("$python" tests/aws_fixtures.py "$endpoint" bulk "$count" "$regions" "$listen_port")
echo "fixture: $made"

# nginx as the policy, behind the delaying proxy.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=bench.elbtls.test -keyout "$work/key.pem" \
    -out "$work/cert.pem" -days 2 -addext basicConstraints=critical,CA:FALSE 2>/dev/null
backend_port=$(free_port)
mkdir -p "$work/tmp"
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
    uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
    server {
        listen 127.0.0.1:$backend_port ssl;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_prefer_server_ciphers on;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384;
        ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256;
        ssl_ecdh_curve X25519:prime256v1:secp384r1:secp521r1;
        location / { return 200 "ok\n"; }
    }
}
CONF
"$nginx_bin" -c "$work/nginx.conf" -p "$work"
control_port=$(free_port)
if [[ $rtt == 0 ]]; then rtt_args=(--rtt-ms 0 --no-handshake-rtt); else rtt_args=(--rtt-ms "$rtt"); fi
"$python" bench/rttproxy.py "${rtt_args[@]}" --control "$control_port" --map "$listen_port=$backend_port" \
    --workers "${PROXY_WORKERS:-2}" >"$work/proxy.out" 2>"$work/proxy.err" &
pids+=($!)
for _ in $(seq 100); do grep -q READY "$work/proxy.out" 2>/dev/null && break; sleep 0.05; done

export AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
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
