#!/usr/bin/env python3
"""Writes N synthetic ALB access-log lines (the format of the Elastic Load Balancing user guide,
"Access logs for your Application Load Balancer") for bench/client-logs.sh.

The mix, fixed by a seed so every run reads the same file: about 5% plain HTTP (`http`, ssl fields
`-`), 0.1% malformed lines (cut short), and TLS entries spread over TLS 1.0-1.3 with the ciphers
clients really negotiate with ALBs, from 50,000 client addresses and 40 user agents.

Fast enough for 10 million lines: a pool of distinct lines is built once, then written in rotated
blocks (the tallies only depend on the mix, not on the order).

usage: gen-alb-logs.py N OUT
"""

import random
import sys

# (protocol, cipher, weight)
PAIRS = [
    ("TLSv1.3", "TLS_AES_128_GCM_SHA256", 40),
    ("TLSv1.3", "TLS_AES_256_GCM_SHA384", 10),
    ("TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256", 3),
    ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", 25),
    ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384", 6),
    ("TLSv1.2", "ECDHE-RSA-AES128-SHA256", 3),
    ("TLSv1.2", "ECDHE-RSA-AES128-SHA", 2),
    ("TLSv1.2", "AES128-GCM-SHA256", 2),
    ("TLSv1.2", "AES128-SHA", 1),
    ("TLSv1.1", "ECDHE-RSA-AES128-SHA", 1),
    ("TLSv1", "ECDHE-RSA-AES128-SHA", 1),
    ("TLSv1", "AES128-SHA", 1),
]

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "curl/8.5.0",
    "curl/7.29.0",
    "python-requests/2.31.0",
    "Java/1.8.0_151",
    "Java/11.0.2",
    "okhttp/4.12.0",
    "Go-http-client/1.1",
] + [f"internal-service-{i}/1.{i}" for i in range(30)]


def main():
    total, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(6)
    pairs = [(p, c) for p, c, w in PAIRS for _ in range(w)]
    pool_size = min(total, 100_000)
    pool = []
    for i in range(pool_size):
        client = f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        if i % 1000 == 999:
            client = f"198.51.100.{rng.randrange(1, 255)}"
        agent = rng.choice(AGENTS)
        roll = rng.random()
        if roll < 0.05:
            kind, cipher, protocol, scheme, port = "http", "-", "-", "http", 80
        else:
            kind = rng.choice(["https", "h2", "h2", "wss"])
            protocol, cipher = rng.choice(pairs)
            scheme, port = "https", 443
        line = (
            f"{kind} 2026-07-02T22:23:{i % 60:02d}.186641Z app/my-loadbalancer/50dc6c495c0c9188 "
            f"{client}:{rng.randrange(1024, 65535)} 10.0.{i % 4}.{i % 200}:80 0.000 0.0{i % 10} 0.000 200 200 "
            f"{rng.randrange(100, 900)} {rng.randrange(100, 90000)} "
            f'"GET {scheme}://www.example.com:{port}/item/{i} HTTP/1.1" "{agent}" {cipher} {protocol} '
            "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "
            f'"Root=1-58337262-36d228ad5d99923122bb{i:06x}" "www.example.com" '
            '"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" '
            f'1 2026-07-02T22:23:00.000000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_{i:032x}'
        )
        if roll > 0.999:
            line = line[: rng.randrange(20, 120)]
        pool.append(line + "\n")
    written = 0
    with open(out, "w", buffering=1 << 20) as f:
        shift = 0
        while written + pool_size <= total:
            cut = (shift * 7919) % pool_size
            f.write("".join(pool[cut:]))
            f.write("".join(pool[:cut]))
            written += pool_size
            shift += 1
        f.write("".join(pool[: total - written]))

if __name__ == "__main__":
    main()
