# Shared by bench/inventory.sh, bench/audit.sh and bench/org-scale.sh: sourced from the repository
# root after `set -euo pipefail`. Only 127.0.0.1 is contacted; what it starts is stopped on exit.
#
#   bench_init NAME [nginx]   checks .venv (and nginx, /usr/bin/time), builds elbtls unless
#                             ELBTLS_BIN is set; sets python, bin, nginx_bin, work (a temporary
#                             directory, copied to $KEEP on exit when set) and the exit trap
#   free_port                 a free loopback port
#   start_moto                moto_server in the background: moto_port, moto_pid, endpoint,
#                             $work/moto.log; returns once it answers
#   start_nginx CONNECTIONS   nginx serving ELBSecurityPolicy-TLS13-1-2-2021-06 (RSA certificate)
#                             on backend_port, CONNECTIONS per worker
#   start_proxy LISTEN BACKEND RTT_MS   bench/rttproxy.py (PROXY_WORKERS processes, default 2)
#                             forwarding LISTEN to BACKEND: control_port; returns once it listens
#   aws_env ENDPOINT          the environment every elbtls run gets (moto's test credentials)

python=.venv/bin/python
pids=()

bench_init() {
    local name=$1 needs=${2:-}
    [[ -x $python ]] || { echo "no .venv: run ./scripts/test first (it installs moto)" >&2; exit 2; }
    if [[ $needs == nginx ]]; then
        command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || {
            local sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
            "${sudo_cmd[@]}" apt-get install -y -qq nginx >&2
        }
        nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
        [[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 2; }
    fi
    bin=${ELBTLS_BIN:-}
    if [[ -z $bin ]]; then
        cargo build --release --locked --quiet --bin elbtls
        bin=target/release/elbtls
    fi
    work=$(mktemp -d -t "elbtls-bench-$name.XXXXXX")
    trap bench_cleanup EXIT
}

bench_cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    wait 2>/dev/null || true
    if [[ -n ${KEEP:-} ]]; then mkdir -p "$KEEP" && cp -r "$work"/. "$KEEP"/; fi
    rm -rf "$work"
}

free_port() {
    "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_moto() {
    moto_port=$(free_port)
    .venv/bin/moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
    moto_pid=$!
    pids+=("$moto_pid")
    endpoint=http://127.0.0.1:$moto_port
    for _ in $(seq 100); do
        curl -fsS -o /dev/null "$endpoint/moto-api/" 2>/dev/null && break
        sleep 0.1
    done
}

start_nginx() {
    local connections=$1
    openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=bench.elbtls.test -keyout "$work/key.pem" \
        -out "$work/cert.pem" -days 2 -addext basicConstraints=critical,CA:FALSE 2>/dev/null
    backend_port=$(free_port)
    mkdir -p "$work/tmp"
    cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections $connections; }
http {
    access_log off;
    client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
    uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
    server {
        listen 127.0.0.1:$backend_port ssl backlog=4096;
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
}

start_proxy() {
    local listen=$1 backend=$2 rtt=$3 rtt_args
    control_port=$(free_port)
    if [[ $rtt == 0 ]]; then rtt_args=(--rtt-ms 0 --no-handshake-rtt); else rtt_args=(--rtt-ms "$rtt"); fi
    "$python" bench/rttproxy.py "${rtt_args[@]}" --control "$control_port" --map "$listen=$backend" \
        --workers "${PROXY_WORKERS:-2}" >"$work/proxy.out" 2>"$work/proxy.err" &
    pids+=($!)
    for _ in $(seq 100); do grep -q READY "$work/proxy.out" 2>/dev/null && break; sleep 0.05; done
}

aws_env() {
    export AWS_ENDPOINT_URL=$1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
    export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
}
