#!/usr/bin/env bash
# `elbtls client logs` over generated ALB access logs (issue 6, "Speed"): lines per second and peak
# memory, for a plain file and for the same file gzip-compressed.
#
#   bench/client-logs.sh                 # 10 million lines
#   bench/client-logs.sh --lines 1000000 --keep
#
# Needs python3, gzip and GNU time (/usr/bin/time; Debian package `time`). Builds the release
# binary (cargo build --release --locked) unless --no-build. The logs (about 6 GB for 10 million
# lines, plus ~0.5 GB gzip) go to a temporary directory under ${TMPDIR:-/tmp}, removed at the end
# unless --keep. Results: bench/results/client-logs.json and a summary on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

lines=10000000
build=1
keep=0
policy=ELBSecurityPolicy-TLS13-1-2-Res-2021-06
while (($#)); do
    case "$1" in
        --lines) lines="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        --keep) keep=1; shift ;;
        --policy) policy="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

[[ -x /usr/bin/time ]] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
if ((build)); then
    cargo build --release --locked --quiet
fi
bin=target/release/elbtls
[[ -x $bin ]] || { echo "no $bin (build it, or drop --no-build)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/elbtls-client-logs.XXXXXX")
cleanup() { ((keep)) && echo "logs kept in $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

log="$work/alb.log"
echo "generating $lines ALB access-log lines…" >&2
python3 bench/gen-alb-logs.py "$lines" "$log"
echo "compressing (gzip -6, what S3 log files use)…" >&2
gzip -6 -c "$log" >"$log.gz"

# Runs the binary on one input under GNU time; prints "seconds peak_kb exit_code".
measure() {
    local input=$1 out=$2
    local code=0
    /usr/bin/time -v -o "$work/time.txt" "$bin" client logs "$input" --policy "$policy" \
        --format json >"$out" || code=$?
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    # h:mm:ss or m:ss.cc → seconds
    local seconds
    seconds=$(awk -v t="$wall" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }')
    echo "$seconds $rss $code"
}

# Warm the page cache the same way for both runs (the plain file is read once before timing).
cat "$log" >/dev/null

results=()
for kind in plain gzip; do
    input=$log
    [[ $kind == gzip ]] && input="$log.gz"
    read -r seconds rss code < <(measure "$input" "$work/$kind.json")
    if [[ $code != 0 && $code != 1 ]]; then
        echo "elbtls failed (exit $code) on $input" >&2
        exit 1
    fi
    read -r read_lines failing_percent < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["totals"]["lines"], d["totals"]["failing_percent"])' "$work/$kind.json")
    rate=$(awk -v n="$read_lines" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
    mb=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
    size=$(stat -c %s "$input")
    printf '%-5s %11d lines %7.2f s %11s lines/s  peak RSS %6s MB  input %6.0f MB  (would fail: %s%%)\n' \
        "$kind" "$read_lines" "$seconds" "$rate" "$mb" "$(awk -v b="$size" 'BEGIN { print b / 1048576 }')" \
        "$failing_percent"
    results+=("{\"input\": \"$kind\", \"lines\": $read_lines, \"bytes\": $size, \"seconds\": $seconds, \"lines_per_second\": $rate, \"peak_rss_mb\": $mb}")
done

mkdir -p bench/results
{
    printf '{\n  "benchmark": "elbtls client logs",\n  "policy": "%s",\n  "cpus": %s,\n  "runs": [\n    ' \
        "$policy" "$(nproc)"
    (IFS=$'\n'; printf '%s' "${results[*]}" | sed ':a;N;$!ba;s/\n/,\n    /g')
    printf '\n  ]\n}\n'
} >bench/results/client-logs.json
echo "wrote bench/results/client-logs.json" >&2
