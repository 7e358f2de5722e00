#!/usr/bin/env python3.11
"""elbtls bench: time elbtls and its peers (sslscan, testssl.sh, sslyze) on the same
loopback servers configured like AWS ELB security policies, count their TCP connections and
check what they report against the expected (version, suite) set.

Python 3.11 standard library only. Normally started by bench/run, which installs the peers,
builds elbtls and cleans up; see bench/README.md. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
LOOPBACK = "127.0.0.1"

VERSIONS = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
PROBED = VERSIONS[1:]  # the versions elbtls probes
VRANK = {v: i for i, v in enumerate(VERSIONS)}
# AWS / nginx / s_server spellings
NGINX_PROTO = {"TLSv1.0": "TLSv1", "TLSv1.1": "TLSv1.1", "TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3"}
S_CLIENT_FLAG = {"TLSv1.0": "-tls1", "TLSv1.1": "-tls1_1", "TLSv1.2": "-tls1_2", "TLSv1.3": "-tls1_3"}

DEFAULT_POLICIES = ["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-2016-08"]
# `--preset emulator`: five common ALB/NLB policies, each served by s2n-tls (elbemu) under its AWS
# name. (The non-FIPS TLS13-1-2-2021-06 is not an s2n-tls policy name; its PQ successor is.)
EMULATOR_POLICIES = ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-2-2017-01",
                     "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10",
                     "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09"]
PRESETS = {"emulator": {"servers": "elbemu", "policies": ",".join(EMULATOR_POLICIES)}}
ALL_TOOLS = ["sslscan", "sslscan-ciphers", "testssl", "sslyze", "elbtls", "elbtls-policy"]
DEFAULT_TOOLS = ["sslscan", "sslscan-ciphers", "testssl", "sslyze", "elbtls"]
SERVER_KINDS = ["nginx", "s_server", "elbemu"]
ELBEMU_CERT = {("rsa", "ecdsa"): "both", ("rsa",): "rsa", ("ecdsa",): "ecdsa"}


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def norm_version(s: str) -> str | None:
    """Map the many spellings (TLSv1, TLS 1.0, tls1_2, tls_1_2, SSLv3, ...) to VERSIONS."""
    k = re.sub(r"[^a-z0-9]", "", s.lower())
    table = {
        "sslv2": "SSLv2", "ssl2": "SSLv2", "ssl20": "SSLv2", "sslv20": "SSLv2",
        "sslv3": "SSLv3", "ssl3": "SSLv3", "ssl30": "SSLv3", "sslv30": "SSLv3",
        "tlsv1": "TLSv1.0", "tls1": "TLSv1.0", "tlsv10": "TLSv1.0", "tls10": "TLSv1.0",
        "tlsv11": "TLSv1.1", "tls11": "TLSv1.1",
        "tlsv12": "TLSv1.2", "tls12": "TLSv1.2",
        "tlsv13": "TLSv1.3", "tls13": "TLSv1.3",
    }
    return table.get(k)


# --------------------------------------------------------------------------------------------
# Registry data (cipher suites and groups) and policies
# --------------------------------------------------------------------------------------------


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines))


@dataclass
class Suite:
    code: int
    iana: str
    openssl: str
    kx: str
    auth: str
    min_v: str
    max_v: str

    @property
    def hex(self) -> str:
        return f"0x{self.code:04X}"

    @property
    def label(self) -> str:
        return self.openssl or self.iana


class Registry:
    def __init__(self, data_dir: Path) -> None:
        self.suites: dict[int, Suite] = {}
        self.by_name: dict[str, int] = {}
        for row in _read_csv(data_dir / "cipher_suites.csv"):
            code = int(row["code"], 16)
            s = Suite(code, row["iana_name"], row["openssl_name"], row["kx"], row["auth"],
                      norm_version(row["min_version"]) or "SSLv3", norm_version(row["max_version"]) or "TLSv1.3")
            self.suites[code] = s
            names = [row["iana_name"], row["openssl_name"]] + re.split(r"[|; ]+", row["openssl_aliases"] or "")
            for n in names:
                if n:
                    self.by_name.setdefault(n.upper(), code)
        self.groups: dict[int, str] = {}
        self.group_by_name: dict[str, int] = {}
        for row in _read_csv(data_dir / "named_groups.csv"):
            code = int(row["code"], 16)
            self.groups[code] = row["iana_name"]
            for n in [row["iana_name"]] + re.split(r"[|; ]+", row["aliases"] or ""):
                if n:
                    self.group_by_name.setdefault(n.lower(), code)
        # common extra spellings
        for alias, canon in (("prime256v1", "secp256r1"), ("x25519", "x25519"), ("x448", "x448")):
            if canon in self.group_by_name:
                self.group_by_name.setdefault(alias, self.group_by_name[canon])

    def code_of(self, name: str) -> int | None:
        return self.by_name.get(name.strip().upper())

    def group_code(self, name: str) -> int | None:
        n = name.strip().lower()
        n = re.sub(r"\s*\(.*\)$", "", n)  # "secp256r1 (NIST P-256)"
        return self.group_by_name.get(n)

    def suite_label(self, code: int) -> str:
        s = self.suites.get(code)
        return s.label if s else f"0x{code:04X}"


def load_policies(policy_dir: Path) -> dict[str, dict]:
    out: dict[str, dict] = {}
    # ELBv2 files first: classic.toml reuses some names (e.g. ELBSecurityPolicy-2016-08) without groups.
    paths = sorted(policy_dir.glob("elbv2-*.toml")) + sorted(set(policy_dir.glob("*.toml")) - set(policy_dir.glob("elbv2-*.toml")))
    for path in paths:
        try:
            data = tomllib.loads(path.read_text())
        except (tomllib.TOMLDecodeError, OSError) as e:
            log(f"warning: cannot parse {path}: {e}")
            continue
        for p in data.get("policy", []) or []:
            if isinstance(p, dict) and "name" in p and "ciphers" in p:
                p = dict(p)
                p["_file"] = path.name
                out.setdefault(p["name"], p)
    return out


def local_openssl_codes() -> set[int]:
    """Code points the local OpenSSL can negotiate (it has no 3DES, RC4, ...)."""
    try:
        out = subprocess.run(["openssl", "ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return set()
    codes = set()
    for m in re.finditer(r"0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})", out):
        codes.add(int(m.group(1) + m.group(2), 16))
    return codes


SERVABLE_GROUPS = {"x25519": "X25519", "x448": "X448", "secp256r1": "P-256", "secp384r1": "P-384",
                   "secp521r1": "P-521"}


@dataclass
class ServerConfig:
    name: str
    kind: str  # nginx | s_server | elbemu
    policy: dict
    certs: tuple[str, ...]  # ("rsa","ecdsa") or ("rsa",)
    port: int = 0
    rtt_port: int = 0
    zero_port: int = 0  # counting proxy without delay (only when nft is unavailable)
    protocols: list[str] = field(default_factory=list)
    tls12_names: list[str] = field(default_factory=list)
    tls13_names: list[str] = field(default_factory=list)
    groups_openssl: list[str] = field(default_factory=list)
    expected: set[tuple[str, int]] = field(default_factory=set)
    expected_groups: set[int] = field(default_factory=set)
    dropped: list[str] = field(default_factory=list)  # policy entries the local OpenSSL cannot serve
    # s2n-tls settles for a suite that needs a higher version when the client offers nothing valid
    # for the negotiated one; (version, suite) pairs outside the suite's versions are then reported
    # apart ("fallback") and correctness is judged on the valid pairs only.
    version_fallback: bool = False
    certs_served: str = ""  # elbemu's start-up line: the certificates it generated
    # (version, suite) pairs s2n-tls settles for under TLS 1.0/1.1: the policy's suites that need a
    # higher version and that the certificates allow (empty for OpenSSL servers)
    expected_fallback: set[tuple[str, int]] = field(default_factory=set)

    @property
    def floor(self) -> int:
        """The fewest handshakes that prove the accepted set: one per accepted (version, suite)
        pair (fallback pairs included), one refusal per accepted version, one per other version
        elbtls probes (SSLv3 to TLS 1.3)."""
        accepted = len(self.expected) + len(self.expected_fallback)
        return accepted + len(self.protocols) + (len(PROBED) - len(self.protocols))

    @property
    def target_connections(self) -> float:
        """Issue 15's target: 1.25 x floor + one certificate handshake per certificate type."""
        return 1.25 * self.floor + len(self.certs)


def build_server_config(name: str, kind: str, policy: dict, certs: tuple[str, ...], reg: Registry,
                        local_codes: set[int]) -> ServerConfig:
    sc = ServerConfig(name=name, kind=kind, policy=policy, certs=certs)
    s2n = kind == "elbemu"  # s2n-tls serves the policy by name: nothing is dropped for OpenSSL's sake
    sc.version_fallback = s2n
    sc.protocols = [v for v in (norm_version(p) for p in policy["protocols"]) if v]
    for n in policy["ciphers"]:
        code = reg.code_of(n)
        if code is None:
            sc.dropped.append(f"{n} (unknown name)")
            continue
        s = reg.suites[code]
        if not s2n and local_codes and code not in local_codes:
            sc.dropped.append(f"{n} (not in local OpenSSL)")
            continue
        if s.min_v == "TLSv1.3":
            sc.tls13_names.append(s.iana)
        else:
            sc.tls12_names.append(s.openssl or n)
        auth = s.auth.upper()
        servable = auth == "ANY" or (auth == "RSA" and "rsa" in certs) or (auth == "ECDSA" and "ecdsa" in certs)
        for v in sc.protocols:
            if s2n and servable and s.min_v != "TLSv1.3" and VRANK[s.min_v] > VRANK[v]:
                sc.expected_fallback.add((v, code))
            if not (VRANK[s.min_v] <= VRANK[v] <= VRANK[s.max_v]):
                continue
            if servable:
                sc.expected.add((v, code))
    for g in policy.get("groups", []):
        if s2n:
            code = reg.group_code(g)
            if code is not None:
                sc.expected_groups.add(code)
            continue
        og = SERVABLE_GROUPS.get(g.lower())
        if og:
            sc.groups_openssl.append(og)
            code = reg.group_code(g)
            if code is not None:
                sc.expected_groups.add(code)
        else:
            sc.dropped.append(f"group {g} (not servable by Debian OpenSSL/nginx)")
    return sc


# --------------------------------------------------------------------------------------------
# Process bookkeeping (bench/run's EXIT trap also reads the pid file)
# --------------------------------------------------------------------------------------------


class Procs:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.pidfile = workdir / "pids"
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, label: str, argv: list[str], **kw) -> subprocess.Popen:
        logf = open(self.workdir / f"{label}.log", "ab")
        kw.setdefault("stdout", logf)
        kw.setdefault("stderr", subprocess.STDOUT)
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True, **kw)
        self.procs.append((label, p))
        with self.pidfile.open("a") as fh:
            fh.write(f"{p.pid}\n")
        return p

    def stop_all(self) -> None:
        for _label, p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    pass
        deadline = time.monotonic() + 5
        for _label, p in reversed(self.procs):
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(p.pid, signal.SIGKILL)  # stragglers (nginx workers, children)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self.procs.clear()


def free_ports(n: int) -> list[int]:
    socks, ports = [], []
    try:
        while len(ports) < n:
            s = socket.socket()
            s.bind((LOOPBACK, 0))
            port = s.getsockname()[1]
            socks.append(s)
            if port >= 20000:
                ports.append(port)
    finally:
        for s in socks:
            s.close()
    return ports


def wait_port(port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


# --------------------------------------------------------------------------------------------
# Certificates and servers
# --------------------------------------------------------------------------------------------


def make_certs(d: Path) -> dict[str, tuple[Path, Path]]:
    certs = {}
    specs = {
        "rsa": ["-newkey", "rsa:2048"],
        "ecdsa": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    }
    for kind, newkey in specs.items():
        crt, key = d / f"{kind}.crt", d / f"{kind}.key"
        subprocess.run(["openssl", "req", "-x509", *newkey, "-nodes", "-sha256", "-days", "2",
                        "-subj", f"/CN=elbtls-bench-{kind}", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(crt)],
                       check=True, capture_output=True)
        certs[kind] = (crt, key)
    return certs


def nginx_conf(workdir: Path, servers: list[ServerConfig], certs: dict[str, tuple[Path, Path]]) -> Path:
    d = workdir / "nginx"
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o755)
    lines = [
        "worker_processes auto;",
        f"pid {d}/nginx.pid;",
        f"error_log {d}/logs/error.log warn;",
        "daemon off;",
        "events { worker_connections 4096; }",
        "http {",
        "  access_log off;",
        f"  client_body_temp_path {d}/client_body;",
        f"  proxy_temp_path {d}/proxy;",
        f"  fastcgi_temp_path {d}/fastcgi;",
        f"  uwsgi_temp_path {d}/uwsgi;",
        f"  scgi_temp_path {d}/scgi;",
    ]
    for sc in servers:
        lines += [
            f"  # {sc.name}: {sc.policy['name']}",
            "  server {",
            f"    listen {LOOPBACK}:{sc.port} ssl backlog=4096;",
        ]
        for c in sc.certs:
            crt, key = certs[c]
            lines += [f"    ssl_certificate {crt};", f"    ssl_certificate_key {key};"]
        lines.append(f"    ssl_protocols {' '.join(NGINX_PROTO[v] for v in sc.protocols)};")
        if sc.tls12_names:
            lines.append(f"    ssl_ciphers '{':'.join(sc.tls12_names)}:@SECLEVEL=0';")
        lines.append("    ssl_prefer_server_ciphers on;")
        if "TLSv1.3" in sc.protocols and sc.tls13_names:
            lines.append(f"    ssl_conf_command Ciphersuites {':'.join(sc.tls13_names)};")
        if sc.groups_openssl:
            lines.append(f"    ssl_ecdh_curve {':'.join(sc.groups_openssl)};")
        lines += ["    location / { return 200 \"ok\\n\"; }", "  }"]
    lines.append("}")
    conf = d / "nginx.conf"
    conf.write_text("\n".join(lines) + "\n")
    return conf


def s_server_argv(sc: ServerConfig, certs: dict[str, tuple[Path, Path]]) -> list[str]:
    argv = ["openssl", "s_server", "-accept", f"{LOOPBACK}:{sc.port}", "-www", "-quiet", "-serverpref"]
    rsa_or_first = "rsa" if "rsa" in sc.certs else sc.certs[0]
    argv += ["-cert", str(certs[rsa_or_first][0]), "-key", str(certs[rsa_or_first][1])]
    others = [c for c in sc.certs if c != rsa_or_first]
    if others:
        argv += ["-dcert", str(certs[others[0]][0]), "-dkey", str(certs[others[0]][1])]
    if sc.tls12_names:
        argv += ["-cipher", ":".join(sc.tls12_names) + ":@SECLEVEL=0"]
    argv += ["-ciphersuites", ":".join(sc.tls13_names)]
    if sc.groups_openssl:
        argv += ["-groups", ":".join(sc.groups_openssl)]
    argv += ["-min_protocol", NGINX_PROTO[sc.protocols[0]], "-max_protocol", NGINX_PROTO[sc.protocols[-1]]]
    return argv


def elbemu_usable(exe: str) -> tuple[bool, str]:
    if not os.path.exists(exe):
        return False, (f"elbemu binary not found at {exe} (build it with `cargo build --release --locked "
                       "-p elbemu` once the workspace member exists, or pass --elbemu PATH)")
    try:
        r = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"elbemu cannot run: {e}"
    if r.returncode != 0 or "--policy" not in r.stdout:
        return False, f"{exe} --help does not describe elbemu (rc {r.returncode})"
    return True, ""


def start_elbemu(procs: Procs, exe: str, sc: ServerConfig, workdir: Path, timeout: float = 60.0) -> str:
    """Start `elbemu --policy NAME --port 0 --cert KIND` and read its port from the start-up line
    (`listening 127.0.0.1:PORT policy NAME certs ...`). Returns "" or why it did not start."""
    label = f"elbemu-{sc.name.replace('/', '_')}"
    out = workdir / f"{label}.out"
    argv = [exe, "--policy", sc.policy["name"], "--port", "0", "--bind", LOOPBACK,
            "--cert", ELBEMU_CERT[tuple(sc.certs)]]
    with out.open("wb") as fo:
        p = procs.start(label, argv, stdout=fo, stderr=open(workdir / f"{label}.log", "ab"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(r"^listening (\S+):(\d+) policy (\S+) certs (\S+)", out.read_text(errors="replace"), re.M)
        if m:
            sc.port = int(m.group(2))
            sc.certs_served = m.group(4)
            return ""
        if p.poll() is not None:
            err = (workdir / f"{label}.log").read_text(errors="replace").strip()[-300:]
            return f"exited with {p.returncode}: {err}"
        time.sleep(0.05)
    return f"no start-up line within {timeout:g} s"


def valid_pair(reg: Registry, version: str, code: int) -> bool:
    """Whether the suite can be negotiated under that version by the book (unknown suites: yes)."""
    s = reg.suites.get(code)
    return s is None or VRANK[s.min_v] <= VRANK[version] <= VRANK[s.max_v]


# --------------------------------------------------------------------------------------------
# Connection counting
# --------------------------------------------------------------------------------------------


class NftCounter:
    """One named nftables counter per destination port, on the input hook, counting SYNs."""

    def __init__(self, table: str, ports: list[int], workdir: Path) -> None:
        self.table = table
        self.ports = ports
        rules = [f"table inet {table} {{"]
        for p in ports:
            rules.append(f"  counter c{p} {{ }}")
        rules.append("  chain input {")
        rules.append("    type filter hook input priority -300; policy accept;")
        for p in ports:
            rules.append(f"    ip daddr {LOOPBACK} tcp dport {p} tcp flags & (syn | ack) == syn counter name c{p}")
        rules.append("  }")
        rules.append("}")
        f = workdir / "nft.rules"
        f.write_text("\n".join(rules) + "\n")
        (workdir / "nft_table").write_text(table + "\n")
        subprocess.run(["nft", "-f", str(f)], check=True, capture_output=True, text=True)

    def read(self, port: int) -> int:
        out = subprocess.run(["nft", "-j", "list", "counter", "inet", self.table, f"c{port}"],
                             check=True, capture_output=True, text=True).stdout
        for item in json.loads(out).get("nftables", []):
            if "counter" in item:
                return int(item["counter"]["packets"])
        raise RuntimeError("counter not found")

    def close(self) -> None:
        subprocess.run(["nft", "delete", "table", "inet", self.table], capture_output=True)


def nft_usable(workdir: Path) -> tuple[bool, str]:
    if not shutil.which("nft"):
        return False, "nft not installed"
    t = f"elbtls_bench_probe_{os.getpid()}"
    try:
        r = subprocess.run(["nft", "add", "table", "inet", t], capture_output=True, text=True, timeout=10)
        if r.returncode != 0:
            return False, (r.stderr or r.stdout).strip()[:200]
        subprocess.run(["nft", "delete", "table", "inet", t], capture_output=True, timeout=10)
        return True, ""
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)


def proxy_counts(control_port: int) -> dict[str, int]:
    with socket.create_connection((LOOPBACK, control_port), timeout=5) as s:
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data.decode())["accepted"]


# --------------------------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    rc: int | None
    wall: float
    maxrss_kb: int
    stdout: str
    stderr: str
    timed_out: bool


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_timed(argv: list[str], cwd: Path, timeout: float, env: dict | None = None) -> RunResult:
    """Run argv, timing it from spawn to exit. Peak RSS comes from GNU time (the rusage of a
    child forked by this Python process would start at Python's own high-water mark)."""
    out_p, err_p, rss_p = cwd / "stdout.txt", cwd / "stderr.txt", cwd / "rss.txt"
    if GNU_TIME:
        argv = [GNU_TIME, "-q", "-f", "%M", "-o", str(rss_p), "--", *argv]
    with out_p.open("wb") as fo, err_p.open("wb") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                             start_new_session=True, env=env)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _pid, status, _ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    try:  # children the tool left behind (testssl spawns openssl/timeout processes)
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    maxrss = -1
    try:
        maxrss = int(rss_p.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        pass
    return RunResult(p.returncode, wall, maxrss, out_p.read_text(errors="replace"),
                     err_p.read_text(errors="replace"), timed_out.is_set())


class ToolError(Exception):
    pass


@dataclass
class Parsed:
    accepted: set[tuple[str, int]]
    groups: set[int] | None = None
    self_connections: int | None = None
    notes: list[str] = field(default_factory=list)


class Tool:
    name = ""
    timeout = 300.0

    def __init__(self, reg: Registry, args: argparse.Namespace) -> None:
        self.reg = reg
        self.args = args

    def available(self) -> tuple[bool, str]:
        raise NotImplementedError

    def argv(self, target: str, outdir: Path) -> list[str]:
        raise NotImplementedError

    def parse(self, outdir: Path, res: RunResult) -> Parsed:
        raise NotImplementedError

    def version(self) -> str:
        return ""

    def display_argv(self) -> str:
        return " ".join(shlex.quote(a) for a in self.argv("127.0.0.1:PORT", Path("OUT")))

    def code_from(self, name: str | None, hexid: str | None) -> int | None:
        if hexid:
            h = hexid.lower().replace("0x", "").replace(",", "").replace(" ", "")
            try:
                return int(h, 16)
            except ValueError:
                pass
        if name:
            return self.reg.code_of(name)
        return None


class Sslscan(Tool):
    name = "sslscan"
    extra: list[str] = []

    def available(self) -> tuple[bool, str]:
        return (True, "") if shutil.which("sslscan") else (False, "sslscan not installed")

    def version(self) -> str:
        r = subprocess.run(["sslscan", "--version", "--no-colour"], capture_output=True, text=True)
        m = re.search(r"\b(\d+\.\d+\.\d+)\b", r.stdout + r.stderr)
        return m.group(1) if m else ""

    def argv(self, target: str, outdir: Path) -> list[str]:
        # --xml=- puts the XML on stdout after the text report; we parse it from there.
        return ["sslscan", "--no-colour", *self.extra, "--xml=-", target]

    def parse(self, outdir: Path, res: RunResult) -> Parsed:
        text = res.stdout
        i = text.find("<?xml")
        if i < 0:
            raise ToolError("no XML in sslscan output")
        root = ET.fromstring(text[i:].strip())
        acc: set[tuple[str, int]] = set()
        for c in root.iter("cipher"):
            if c.get("status") not in ("accepted", "preferred"):
                continue
            v = norm_version(c.get("sslversion", ""))
            code = self.code_from(c.get("cipher"), c.get("id"))
            if v and code is not None:
                acc.add((v, code))
        groups = set()
        for g in root.iter("group"):
            code = self.code_from(None, g.get("id")) if g.get("id") else self.reg.group_code(g.get("name", ""))
            if code is not None:
                groups.add(code)
        return Parsed(acc, groups)


class SslscanCiphers(Sslscan):
    """sslscan restricted to what elbtls does: protocols, suites, groups."""
    name = "sslscan-ciphers"
    extra = ["--no-check-certificate", "--no-heartbleed", "--no-renegotiation", "--no-compression",
             "--no-fallback"]


class Testssl(Tool):
    name = "testssl"
    timeout = 900.0

    def __init__(self, reg: Registry, args: argparse.Namespace) -> None:
        super().__init__(reg, args)
        self.exe = shutil.which("testssl") or shutil.which("testssl.sh")

    def available(self) -> tuple[bool, str]:
        return (True, "") if self.exe else (False, "testssl.sh not installed")

    def version(self) -> str:
        if not self.exe:
            return ""
        r = subprocess.run([self.exe, "--version"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        m = re.search(r"testssl(?:\.sh)?\s+([0-9][^\s\x1b]*)", r.stdout + r.stderr)
        return m.group(1) if m else ""

    def argv(self, target: str, outdir: Path) -> list[str]:
        # -p: protocols; -E: every local cipher per protocol (the per-(version, suite) answer).
        # No --fast (deprecated in 3.0, skips the socket-based checks). --nodns none: no DNS at all.
        return [self.exe or "testssl", "--quiet", "--color", "0", "--warnings", "off", "--nodns", "none",
                "--connect-timeout", "10", "--openssl-timeout", "10", "-p", "-E",
                "--jsonfile", str(outdir / "testssl.json"), target]

    def parse(self, outdir: Path, res: RunResult) -> Parsed:
        f = outdir / "testssl.json"
        if not f.exists():
            raise ToolError("no JSON file written")
        items = json.loads(f.read_text() or "[]")
        acc: set[tuple[str, int]] = set()
        notes = []
        for it in items:
            ident = it.get("id", "")
            m = re.match(r"^cipher-(tls1(?:_\d)?|ssl[23])_x([0-9a-fA-F]+)$", ident)
            if not m:
                if it.get("severity") in ("FATAL", "ERROR") or ident.startswith("scanProblem"):
                    notes.append(f"{ident}: {it.get('finding', '')}"[:200])
                continue
            v = norm_version(m.group(1))
            finding = it.get("finding", "")
            if "not offered" in finding or "not available" in finding:
                continue
            code = int(m.group(2), 16)
            if v:
                acc.add((v, code))
        return Parsed(acc, None, None, notes)


class Sslyze(Tool):
    name = "sslyze"

    def __init__(self, reg: Registry, args: argparse.Namespace) -> None:
        super().__init__(reg, args)
        venv = BENCH_DIR / ".venv" / "bin" / "sslyze"
        self.exe = str(venv) if venv.exists() else shutil.which("sslyze")

    def available(self) -> tuple[bool, str]:
        return (True, "") if self.exe else (False, "sslyze not installed (bench/.venv)")

    def version(self) -> str:
        if not self.exe:
            return ""
        r = subprocess.run([self.exe, "--help"], capture_output=True, text=True)
        m = re.search(r"SSLyze version (\S+)", r.stdout)
        return m.group(1) if m else ""

    def argv(self, target: str, outdir: Path) -> list[str]:
        return [self.exe or "sslyze", "--quiet", "--mozilla_config", "disable",
                "--sslv2", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3",
                f"--json_out={outdir / 'sslyze.json'}", target]

    def parse(self, outdir: Path, res: RunResult) -> Parsed:
        f = outdir / "sslyze.json"
        if not f.exists():
            raise ToolError("no JSON file written")
        data = json.loads(f.read_text())
        results = data.get("server_scan_results") or []
        if not results:
            raise ToolError("no server_scan_results")
        r0 = results[0]
        if r0.get("scan_status") != "COMPLETED":
            raise ToolError(f"scan_status {r0.get('scan_status')}: {r0.get('connectivity_error_trace', '')}"[:300])
        acc: set[tuple[str, int]] = set()
        notes = []
        for key, val in (r0.get("scan_result") or {}).items():
            m = re.match(r"^(ssl_2_0|ssl_3_0|tls_1_0|tls_1_1|tls_1_2|tls_1_3)_cipher_suites$", key)
            if not m or not val:
                continue
            if val.get("status") != "COMPLETED":
                notes.append(f"{key}: {val.get('status')} {val.get('error_reason', '')}")
                continue
            v = norm_version(m.group(1).replace("_0", "").replace("_", ""))
            for a in (val.get("result") or {}).get("accepted_cipher_suites", []):
                code = self.code_from(a["cipher_suite"].get("name"), None)
                if code is None:
                    notes.append(f"unknown suite {a['cipher_suite'].get('name')}")
                elif v:
                    acc.add((v, code))
        return Parsed(acc, None, None, notes)


class Elbtls(Tool):
    name = "elbtls"

    def __init__(self, reg: Registry, args: argparse.Namespace) -> None:
        super().__init__(reg, args)
        self.exe = args.elbtls or str(REPO / "target" / "release" / "elbtls")

    def available(self) -> tuple[bool, str]:
        if not os.path.exists(self.exe):
            return False, f"elbtls binary not found at {self.exe} (did `cargo build --release --locked` fail?)"
        try:
            r = subprocess.run([self.exe, "probe", "--help"], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired) as e:
            return False, f"elbtls cannot run: {e}"
        if r.returncode != 0:
            return False, "elbtls has no probe command yet"
        return True, ""

    def version(self) -> str:
        try:
            r = subprocess.run([self.exe, "--version"], capture_output=True, text=True, timeout=20)
            return r.stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    def argv(self, target: str, outdir: Path) -> list[str]:
        return [self.exe, "probe", target, "--format", "json", *self.args.elbtls_arg]

    def parse(self, outdir: Path, res: RunResult) -> Parsed:
        try:
            data = json.loads(res.stdout)
        except json.JSONDecodeError as e:
            raise ToolError(f"stdout is not JSON: {e}") from e
        eps = data.get("endpoints") or []
        if not eps:
            raise ToolError("no endpoints in output")
        ep = eps[0]
        if ep.get("status") != "ok":
            raise ToolError(f"status {ep.get('status')}: {ep.get('error')}")
        acc: set[tuple[str, int]] = set()
        for p in ep.get("protocols") or []:
            v = norm_version(p.get("version", ""))
            for c in p.get("ciphers") or []:
                code = self.code_from(c.get("iana_name") or c.get("openssl_name"), c.get("code"))
                if v and code is not None:
                    acc.add((v, code))
        groups = set()
        glist = ep.get("groups") or []
        if isinstance(glist, dict):  # {"tls13": [...] | null, "tls12": [...] | null}
            glist = [g for v in glist.values() if isinstance(v, list) for g in v]
        for g in glist:
            if isinstance(g, dict):
                code = self.code_from(None, g.get("code")) if g.get("code") else self.reg.group_code(g.get("name", ""))
            else:
                code = self.reg.group_code(str(g))
            if code is not None:
                groups.add(code)
        conns = ep.get("connections")
        return Parsed(acc, groups, conns if isinstance(conns, int) else None)


class ElbtlsPolicy(Elbtls):
    """elbtls told the server's policy (`--policy NAME`): it guesses along the declared policy."""
    name = "elbtls-policy"
    policy = "POLICY"

    def argv(self, target: str, outdir: Path) -> list[str]:
        return [*super().argv(target, outdir), "--policy", self.policy]


TOOL_CLASSES = {c.name: c for c in (Sslscan, SslscanCiphers, Testssl, Sslyze, Elbtls, ElbtlsPolicy)}


# --------------------------------------------------------------------------------------------
# Ground truth: one openssl s_client per (version, suite)
# --------------------------------------------------------------------------------------------


def s_client_accepts(port: int, version: str, suite: Suite) -> bool:
    argv = ["openssl", "s_client", "-connect", f"{LOOPBACK}:{port}", S_CLIENT_FLAG[version]]
    if version == "TLSv1.3":
        argv += ["-ciphersuites", suite.iana]
    else:
        argv += ["-cipher", f"{suite.openssl}:@SECLEVEL=0", "-ciphersuites", ""]
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        return False
    m = re.search(r"Cipher is (\S+)", r.stdout)
    return bool(m and m.group(1) != "(NONE)")


def ground_truth(sc: ServerConfig, reg: Registry, local_codes: set[int], full: bool) -> set[tuple[str, int]]:
    if full:
        codes = sorted(c for c in local_codes if c in reg.suites)
    else:
        codes = sorted({reg.code_of(n) for n in sc.policy["ciphers"]} - {None})
    found = set()
    for v in ("TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"):
        for code in codes:
            s = reg.suites.get(code)
            if s is None or not s.openssl and v != "TLSv1.3":
                continue
            is13 = s.min_v == "TLSv1.3"
            if (v == "TLSv1.3") != is13:
                continue
            if s_client_accepts(sc.port, v, s):
                found.add((v, code))
    return found


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def fmt_set(reg: Registry, items: set[tuple[str, int]]) -> list[str]:
    return [f"{v} {reg.suite_label(c)}" for v, c in sorted(items, key=lambda x: (VRANK[x[0]], x[1]))]


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="runs per tool, server and mode (median reported; default 5)")
    p.add_argument("--testssl-runs", type=int, default=1, help="runs for testssl.sh, which is slow (default 1)")
    p.add_argument("--rtt", type=float, default=50.0, metavar="MS",
                   help="also run every tool through a delaying proxy with this round-trip time (default 50)")
    p.add_argument("--no-rtt", action="store_true", help="direct runs only")
    p.add_argument("--tools", default=",".join(DEFAULT_TOOLS), help=f"comma list from {','.join(ALL_TOOLS)}")
    p.add_argument("--policies", default=None,
                   help=f"comma list of ELB policy names (default {','.join(DEFAULT_POLICIES)})")
    p.add_argument("--servers", default=None,
                   help="comma list from nginx,s_server,elbemu (default nginx,s_server); elbemu is the "
                        "s2n-tls ELB listener emulator serving each policy under its AWS name")
    p.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help="emulator: --servers elbemu --policies " + ",".join(EMULATOR_POLICIES)
                        + " (explicit --servers/--policies win)")
    p.add_argument("--elbemu", default="", help="path of the elbemu binary (default target/release/elbemu)")
    p.add_argument("--certs", default="dual",
                   help="comma list: dual (RSA+ECDSA certificates), rsa (RSA only), ecdsa (ECDSA only); default dual")
    p.add_argument("--ground-truth", choices=["off", "policy", "full"], default="policy",
                   help="check each server with one `openssl s_client` per (version, suite): the policy's "
                        "suites (default) or every suite of the local OpenSSL (full, ~15 s per server)")
    p.add_argument("--tool-timeout", type=float, default=0, help="seconds before a tool run is killed "
                   "(default 300, testssl 900)")
    p.add_argument("--elbtls", default="", help="path of the elbtls binary (default target/release/elbtls)")
    p.add_argument("--elbtls-arg", action="append", default=[], help="extra argument for elbtls probe (repeatable)")
    p.add_argument("--count", choices=["auto", "nft", "proxy"], default="auto",
                   help="how to count connections (default auto: nft when it works, else the counting proxy)")
    p.add_argument("--out", default=str(BENCH_DIR / "results" / "latest.json"), help="JSON results file")
    p.add_argument("--workdir", default="", help="scratch directory (default: a new temp dir)")
    p.add_argument("--serve-only", action="store_true", help="start the servers, print their ports, wait for Ctrl-C")
    p.add_argument("--keep-outputs", action="store_true", help="keep every tool run's output under the workdir")
    a = p.parse_args(argv)
    preset = PRESETS.get(a.preset or "", {})
    if a.servers is None:
        a.servers = preset.get("servers", "nginx,s_server")
    if a.policies is None:
        a.policies = preset.get("policies", ",".join(DEFAULT_POLICIES))
    return a


def _on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _on_signal)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="elbtls-bench."))
    workdir.mkdir(parents=True, exist_ok=True)
    procs = Procs(workdir)
    holder: dict[str, NftCounter] = {}
    try:
        return _main(args, workdir, procs, lambda n: holder.__setitem__("nft", n))
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        procs.stop_all()
        if "nft" in holder:
            holder["nft"].close()
        if not args.workdir and not args.keep_outputs:
            shutil.rmtree(workdir, ignore_errors=True)


def _main(args: argparse.Namespace, workdir: Path, procs: Procs, set_nft) -> int:
    reg = Registry(REPO / "src" / "tls" / "data")
    policies = load_policies(REPO / "policies")
    local_codes = local_openssl_codes()
    tools_wanted = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in tools_wanted:
        if t not in TOOL_CLASSES:
            log(f"unknown tool {t!r}; known: {', '.join(ALL_TOOLS)}")
            return 2
    cert_modes = {"dual": ("rsa", "ecdsa"), "rsa": ("rsa",), "ecdsa": ("ecdsa",)}
    kinds = [k.strip() for k in args.servers.split(",") if k.strip()]
    for kind in kinds:
        if kind not in SERVER_KINDS:
            log(f"unknown server kind {kind}; known: {', '.join(SERVER_KINDS)}")
            return 2
    for kind, exe in (("nginx", "nginx"), ("s_server", "openssl")):
        if kind in kinds and not shutil.which(exe):
            log(f"server kind {kind} needs `{exe}`, which is not installed: run bench/run without "
                f"--no-install (it installs it), or apt-get install {'nginx' if exe == 'nginx' else 'openssl'}")
            return 2
    elbemu_exe = args.elbemu or str(REPO / "target" / "release" / "elbemu")
    if "elbemu" in kinds:
        ok, why = elbemu_usable(elbemu_exe)
        if ok:
            log(f"elbemu: {elbemu_exe}")
        else:
            log(f"SKIP server kind elbemu: {why}")
            kinds.remove("elbemu")
            if not kinds:
                return 2
    servers: list[ServerConfig] = []
    for pname in [p.strip() for p in args.policies.split(",") if p.strip()]:
        if pname not in policies:
            log(f"unknown policy {pname}")
            return 2
        short = pname.removeprefix("ELBSecurityPolicy-")
        for cm in [c.strip() for c in args.certs.split(",") if c.strip()]:
            if cm not in cert_modes:
                log(f"unknown --certs value {cm}")
                return 2
            for kind in kinds:
                servers.append(build_server_config(f"{kind}/{short}/{cm}", kind, policies[pname],
                                                   cert_modes[cm], reg, local_codes))
    rtt = None if args.no_rtt or args.rtt <= 0 else args.rtt

    # counting method
    count_method = args.count
    if count_method in ("auto", "nft"):
        ok, why = nft_usable(workdir)
        if ok:
            count_method = "nft"
        elif args.count == "nft":
            log(f"nft does not work here: {why}")
            return 2
        else:
            log(f"nft does not work here ({why}); counting through the proxy instead")
            count_method = "proxy"

    # ports
    need = len(servers) * (1 + (1 if rtt else 0) + (1 if count_method == "proxy" else 0)) + 2
    ports = free_ports(need)
    ctrl_rtt, ctrl_zero = ports.pop(), ports.pop()
    for sc in servers:
        if sc.kind != "elbemu":  # elbemu picks its own (--port 0) and says which
            sc.port = ports.pop()
        if rtt:
            sc.rtt_port = ports.pop()
        if count_method == "proxy":
            sc.zero_port = ports.pop()

    certs = make_certs(workdir)
    log(f"workdir {workdir}; certificates: RSA-2048 and ECDSA P-256 (self-signed"
        + ("; elbemu generates its own" if any(s.kind == "elbemu" for s in servers) else "") + ")")
    ng = [s for s in servers if s.kind == "nginx"]
    if ng:
        conf = nginx_conf(workdir, ng, certs)
        t = subprocess.run(["nginx", "-t", "-c", str(conf), "-p", str(workdir / "nginx"), "-e",
                            str(workdir / "nginx" / "logs" / "error.log")], capture_output=True, text=True)
        if t.returncode != 0:
            log("nginx -t failed:\n" + t.stderr)
            return 1
        procs.start("nginx", ["nginx", "-c", str(conf), "-p", str(workdir / "nginx"), "-e",
                              str(workdir / "nginx" / "logs" / "error.log")])
    for sc in servers:
        if sc.kind == "s_server":
            procs.start(f"s_server-{sc.port}", s_server_argv(sc, certs))
    for sc in list(servers):
        if sc.kind == "elbemu":
            why = start_elbemu(procs, elbemu_exe, sc, workdir)
            if why:
                # One policy the emulator does not serve (TLS13-1-2-2021-06 is no s2n-tls name)
                # should not cost the rest of a mixed run.
                log(f"SKIP {sc.name}: elbemu did not start: {why}")
                servers.remove(sc)
    if not servers:
        log("no server started")
        return 1
    proxy_py = str(BENCH_DIR / "rttproxy.py")
    if rtt:
        procs.start("proxy-rtt", [sys.executable, proxy_py, "--rtt-ms", str(rtt), "--control", str(ctrl_rtt),
                                  *[f"--map={s.rtt_port}={s.port}" for s in servers]])
    if count_method == "proxy":
        procs.start("proxy-zero", [sys.executable, proxy_py, "--rtt-ms", "0", "--no-handshake-rtt",
                                   "--control", str(ctrl_zero), *[f"--map={s.zero_port}={s.port}" for s in servers]])
    for sc in servers:
        for port in (sc.port, sc.rtt_port, sc.zero_port):
            if port and not wait_port(port):
                log(f"{sc.name}: nothing listens on {port}; see logs in {workdir}")
                return 1

    for sc in servers:
        log(f"{sc.name}: port {sc.port}" + (f", via {rtt:g} ms proxy {sc.rtt_port}" if rtt else "")
            + (f"; certificates {sc.certs_served}" if sc.certs_served else "")
            + f"; expected {len(sc.expected)} (version, suite) pairs"
            + (f"; not served: {', '.join(sc.dropped)}" if sc.dropped else ""))
    if args.serve_only:
        log("serving; Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0

    if rtt:
        # The proxy connects to the backend 1.5 RTT after accepting: let the backend connections
        # of the port checks above land before any counting starts.
        time.sleep(2 * rtt / 1000 + 0.1)
    all_ports = [p for s in servers for p in (s.port, s.rtt_port, s.zero_port) if p]
    nft = None
    if count_method == "nft":
        nft = NftCounter(f"elbtls_bench_{os.getpid()}", all_ports, workdir)
        set_nft(nft)

    # ground truth
    gt_report = {}
    if args.ground_truth != "off":
        for sc in servers:
            t0 = time.perf_counter()
            gt = ground_truth(sc, reg, local_codes, args.ground_truth == "full")
            # s2n-tls may serve suites the local OpenSSL (the s_client) cannot offer: not checkable
            checkable = {(v, c) for v, c in sc.expected if not local_codes or c in local_codes}
            ok = gt == checkable
            gt_report[sc.name] = {"matches_expected": ok, "seconds": round(time.perf_counter() - t0, 2),
                                  "missing": fmt_set(reg, checkable - gt), "extra": fmt_set(reg, gt - checkable),
                                  "unchecked": fmt_set(reg, sc.expected - checkable)}
            log(f"ground truth {sc.name} ({args.ground_truth}): "
                + ("matches the expected set" if ok else
                   f"DIFFERS: missing {gt_report[sc.name]['missing']} extra {gt_report[sc.name]['extra']}")
                + (f"; not checkable with the local OpenSSL: {gt_report[sc.name]['unchecked']}"
                   if gt_report[sc.name]["unchecked"] else ""))

    tools: list[Tool] = []
    tool_status: dict[str, dict] = {}
    for name in tools_wanted:
        t = TOOL_CLASSES[name](reg, args)
        ok, why = t.available()
        tool_status[name] = {"available": ok, "reason": why, "version": t.version() if ok else "",
                             "command": t.display_argv()}
        if ok:
            tools.append(t)
            log(f"{name} {tool_status[name]['version']}: {tool_status[name]['command']}")
        else:
            log(f"SKIP {name}: {why}")

    load_start = os.getloadavg()
    if load_start[0] > (os.cpu_count() or 1) * 0.5:
        log(f"warning: the machine is busy (load average {load_start[0]:.1f} on {os.cpu_count()} CPUs); "
            "timings will be noisy")
    modes = [("direct", 0.0)] + ([("rtt", rtt)] if rtt else [])
    results = []
    for sc in servers:
        for mode, mode_rtt in modes:
            port = sc.rtt_port if mode == "rtt" else (sc.zero_port or sc.port)
            target = f"{LOOPBACK}:{port}"
            for t in tools:
                if isinstance(t, ElbtlsPolicy):
                    t.policy = sc.policy["name"]
                n = args.testssl_runs if t.name == "testssl" else args.runs
                timeout = args.tool_timeout or t.timeout
                runs = []
                for i in range(max(1, n)):
                    outdir = workdir / "runs" / f"{sc.name.replace('/', '_')}-{mode}-{t.name}-{i}"
                    outdir.mkdir(parents=True, exist_ok=True)
                    rec: dict = {"run": i}
                    try:
                        before = nft.read(port) if nft else None
                        pc_before = proxy_counts(ctrl_rtt if mode == "rtt" else ctrl_zero) \
                            if (mode == "rtt" or count_method == "proxy") else None
                        res = run_timed(t.argv(target, outdir), outdir, timeout)
                        time.sleep(0.05)  # let the proxy register the last accepts
                        if nft:
                            rec["connections"] = nft.read(port) - before
                        if pc_before is not None:
                            pc = proxy_counts(ctrl_rtt if mode == "rtt" else ctrl_zero)
                            rec["proxy_connections"] = pc[str(port)] - pc_before[str(port)]
                            if not nft:
                                rec["connections"] = rec["proxy_connections"]
                        rec.update(wall=res.wall, rc=res.rc, maxrss_kb=res.maxrss_kb, timed_out=res.timed_out)
                        if res.timed_out:
                            raise ToolError(f"timed out after {timeout:g} s")
                        try:
                            parsed = t.parse(outdir, res)
                        except ToolError:
                            raise
                        except Exception as e:  # noqa: BLE001
                            raise ToolError(f"cannot parse output: {type(e).__name__}: {e}") from e
                        if not parsed.accepted:
                            tail = (res.stderr or res.stdout).strip().splitlines()[-3:]
                            raise ToolError(f"no accepted suites found (rc {res.rc}): {' | '.join(tail)}"[:300])
                        rec["ok"] = True
                        accepted = parsed.accepted
                        if sc.version_fallback:
                            fallback = {(v, c) for v, c in accepted if not valid_pair(reg, v, c)}
                            accepted = accepted - fallback
                            rec["fallback"] = fmt_set(reg, fallback)
                            rec["fallback_as_expected"] = fallback == sc.expected_fallback
                        rec["correct"] = accepted == sc.expected
                        rec["missing"] = fmt_set(reg, sc.expected - accepted)
                        rec["extra"] = fmt_set(reg, accepted - sc.expected)
                        rec["accepted_count"] = len(accepted)
                        if parsed.groups is not None:
                            rec["groups"] = sorted(reg.groups.get(g, f"0x{g:04X}") for g in parsed.groups)
                            rec["groups_correct"] = parsed.groups == sc.expected_groups
                        if parsed.self_connections is not None:
                            rec["self_reported_connections"] = parsed.self_connections
                        if parsed.notes:
                            rec["notes"] = parsed.notes[:10]
                    except Exception as e:  # noqa: BLE001 - a failing tool is a result, not a crash
                        rec["ok"] = False
                        rec["error"] = f"{type(e).__name__}: {e}" if not isinstance(e, ToolError) else str(e)
                    runs.append(rec)
                    if not args.keep_outputs and rec.get("ok"):
                        shutil.rmtree(outdir, ignore_errors=True)
                    status = (f"{rec['wall']:.3f} s, {rec.get('connections', '?')} conns, "
                              f"{'correct' if rec.get('correct') else 'WRONG' if rec.get('ok') else 'FAILED'}"
                              if "wall" in rec else "FAILED")
                    if rec.get("fallback"):
                        status += f" (+{len(rec['fallback'])} fallback pairs)"
                    if not rec.get("ok"):
                        status += f" ({rec.get('error')})"
                    elif not rec.get("correct"):
                        status += f" (missing {len(rec['missing'])}, extra {len(rec['extra'])})"
                    log(f"{sc.name} {mode} {t.name} run {i + 1}/{n}: {status}")
                results.append(summarise(sc, mode, mode_rtt, port, t.name, runs))

    report = {
        "schema_version": 1,
        "generated_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "host": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
                 "openssl": subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip(),
                 "nginx": _version_of(["nginx", "-v"]),
                 "elbemu": (_version_of([elbemu_exe, "--version"])
                            if any(s.kind == "elbemu" for s in servers) else None),
                 "loadavg_start": [round(x, 2) for x in load_start],
                 "loadavg_end": [round(x, 2) for x in os.getloadavg()]},
        "settings": {"runs": args.runs, "testssl_runs": args.testssl_runs, "rtt_ms": rtt, "preset": args.preset,
                     "elbemu": elbemu_exe if any(s.kind == "elbemu" for s in servers) else None,
                     "connection_counting": count_method_desc(count_method), "ground_truth": args.ground_truth,
                     "timing": "wall clock from spawn to exit of the tool process (includes interpreter start-up); "
                               "median of the runs; peak RSS is the largest single process of the tool's tree"},
        "tools": tool_status,
        "servers": [{"name": s.name, "kind": s.kind, "policy": s.policy["name"], "certificates": list(s.certs),
                     "certificates_served": s.certs_served or None, "version_fallback": s.version_fallback,
                     "port": s.port, "rtt_port": s.rtt_port or None, "protocols": s.protocols,
                     "tls12_ciphers": s.tls12_names, "tls13_ciphersuites": s.tls13_names,
                     "groups": s.groups_openssl, "not_served": s.dropped,
                     "expected": fmt_set(reg, s.expected),
                     "expected_fallback": fmt_set(reg, s.expected_fallback),
                     "floor": s.floor, "target_connections": s.target_connections,
                     "expected_groups": sorted(reg.groups.get(g, "") for g in s.expected_groups),
                     "ground_truth": gt_report.get(s.name)} for s in servers],
        "results": results,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report, tool_status)
    print(f"\nconnections counted by: {count_method_desc(count_method)}")
    h = report["host"]
    print(f"load average: {h['loadavg_start'][0]:.2f} at start, {h['loadavg_end'][0]:.2f} at end ({h['cpus']} CPUs)")
    print(f"results: {out}")
    return 0


def _version_of(argv: list[str]) -> str:
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable: {e}"
    return (r.stdout.strip() or r.stderr.strip()).splitlines()[0] if (r.stdout or r.stderr).strip() else ""


def count_method_desc(m: str) -> str:
    if m == "nft":
        return ("nftables: one counter per destination port on the input hook, "
                "`tcp flags & (syn|ack) == syn` (exact; a retransmitted SYN would count twice)")
    return "the bench's proxy (accepted connections); direct runs go through a zero-delay proxy"


def summarise(sc: ServerConfig, mode: str, rtt: float, port: int, tool: str, runs: list[dict]) -> dict:
    out = _summarise(sc, mode, rtt, port, tool, runs)
    out["floor"] = sc.floor
    out["target_connections"] = sc.target_connections
    if out["connections"] is not None:
        out["within_target"] = out["connections"] <= sc.target_connections
    return out


def _summarise(sc: ServerConfig, mode: str, rtt: float, port: int, tool: str, runs: list[dict]) -> dict:
    good = [r for r in runs if r.get("ok")]
    walls = [r["wall"] for r in good]
    conns = [r["connections"] for r in good if "connections" in r]
    out = {
        "server": sc.name, "policy": sc.policy["name"], "certificates": list(sc.certs), "mode": mode,
        "rtt_ms": rtt or 0, "port": port, "tool": tool, "runs": len(runs), "ok_runs": len(good),
        "median_s": statistics.median(walls) if walls else None,
        "min_s": min(walls) if walls else None, "max_s": max(walls) if walls else None,
        "connections": int(statistics.median(conns)) if conns else None,
        "connections_range": [min(conns), max(conns)] if conns else None,
        "correct": (all(r["correct"] for r in good) if good else None),
        # (version, suite) pairs outside the suite's versions (s2n-tls's fallback), median count
        "fallback": (int(statistics.median(len(r["fallback"]) for r in good))
                     if good and all("fallback" in r for r in good) else None),
        "peak_rss_mb": (round(max(r["maxrss_kb"] for r in good) / 1024, 1)
                        if good and all(r["maxrss_kb"] >= 0 for r in good) else None),
        "runs_detail": runs,
    }
    if not good:
        out["error"] = runs[-1].get("error") if runs else "not run"
    return out


def print_table(report: dict, tool_status: dict) -> None:
    res = report["results"]
    base = {(r["server"], r["mode"]): r for r in res if r["tool"] == "elbtls" and r["median_s"]}
    hdr = ["server", "mode", "tool", "median s", "min-max s", "conns", "floor (target)", "correct", "t/elbtls",
           "c/elbtls", "RSS MB"]
    rows = []
    failures: list[str] = []
    for r in res:
        b = base.get((r["server"], r["mode"]))
        mode = r["mode"] if r["mode"] == "direct" else f"rtt {r['rtt_ms']:g}ms"
        if r["median_s"] is None:
            rows.append([r["server"], mode, r["tool"], "-", "", "", "", "FAILED", "", "", ""])
            failures.append(f"{r['server']} {mode} {r['tool']}: FAILED: {r.get('error')}")
            continue
        cr = r["connections_range"]
        conns = "" if r["connections"] is None else (
            str(r["connections"]) if cr[0] == cr[1] else f"{r['connections']} ({cr[0]}-{cr[1]})")
        selfc = [x.get("self_reported_connections") for x in r["runs_detail"] if x.get("ok")]
        if selfc and selfc[0] is not None and r["connections"] is not None and selfc[0] != r["connections"]:
            conns += f" (says {selfc[0]})"
        tr = f"{r['median_s'] / b['median_s']:.1f}x" if b and r["tool"] != "elbtls" else ("1x" if b else "n/a")
        crat = "n/a"
        if b and b["connections"] and r["connections"] is not None:
            crat = "1x" if r["tool"] == "elbtls" else f"{r['connections'] / b['connections']:.1f}x"
        correct = "yes" if r["correct"] else "NO"
        if r.get("fallback"):
            correct += f" (+{r['fallback']} fallback)"
        if r["ok_runs"] < r["runs"]:
            correct += f" ({r['runs'] - r['ok_runs']} failed)"
        floor = f"{r['floor']} (<={r['target_connections']:g})"
        if r.get("within_target") is False and r["tool"].startswith("elbtls"):
            floor += " over"
        rows.append([r["server"], mode, r["tool"], f"{r['median_s']:.3f}", f"{r['min_s']:.3f}-{r['max_s']:.3f}",
                     conns, floor, correct, tr, crat, "" if r["peak_rss_mb"] is None else f"{r['peak_rss_mb']:.0f}"])
    widths = [max(len(str(x)) for x in col) for col in zip(hdr, *rows)] if rows else [len(h) for h in hdr]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(hdr, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)))
    if failures:
        print()
        print("\n".join(failures))
    for name, st in tool_status.items():
        if not st["available"]:
            print(f"\n{name}: skipped: {st['reason']}")
    wrong = [r for r in res if r["median_s"] is not None and not r["correct"]]
    for r in wrong:
        d = next((x for x in r["runs_detail"] if x.get("ok") and not x["correct"]), None)
        if d:
            print(f"\n{r['server']} {r['mode']} {r['tool']}: missing {d['missing']} extra {d['extra']}")
    for r in res:
        d = next((x for x in r["runs_detail"] if x.get("ok") and x.get("groups_correct") is False), None)
        if d:
            srv = next((s for s in report["servers"] if s["name"] == r["server"]), {})
            missing = sorted(set(srv.get("expected_groups", [])) - set(d["groups"]))
            extra = sorted(set(d["groups"]) - set(srv.get("expected_groups", [])))
            print(f"\ngroups {r['server']} {r['mode']} {r['tool']}: missing {missing} extra {extra}")
    fb = [r for r in res if r.get("fallback")]
    if fb:
        print("\nfallback: (version, suite) pairs outside the suite's versions, which s2n-tls accepts when a "
              "client offers nothing valid for the version; reported apart, not counted in 'correct':")
        for r in fb:
            d = next((x for x in r["runs_detail"] if x.get("fallback")), None)
            if d:
                print(f"  {r['server']} {r['mode']} {r['tool']}: {', '.join(d['fallback'])}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
