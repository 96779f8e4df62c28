#!/usr/bin/env python3
"""Traced lookups measured from outside (issue 14), printed as figures, asserting nothing.

For each backend (SQLite, PostgreSQL) and each database size: seeds a database with
`guichet-server seed`, adds seven users beside demo.caf (eight signed-in users, cdap-t2),
starts `guichet-server serve` in its own process, samples 2,000 known files of CAF-78 and
drives POST /api/v1/lookups with wrk (a process of its own: its CPU is not the server's) at
8 and 64 connections. One lookup in four carries a wrong name (the not-found path). Around
each run the server's CPU time is read from /proc, for CPU seconds per 1,000 lookups.
On the same PostgreSQL and in the same run: `pgbench -N` and `pgbench -N -M prepared` at 64
clients, and the ratios.

Usage: bench_lookups.py --server target/release/guichet-server --files 100000[,10000000]
       [--seconds 10] [--pg-url postgres://postgres@127.0.0.1:5432/postgres] [--only sqlite|postgres]
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SERVICE = "cdap-t2"
PASSWORD = "Demo-Guichet-2026!"
NEW_PASSWORD = "Bench-Tulipe-42-Velo"
USERS = 8
KNOWN_FILES = 2000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def run(*cmd, env=None, capture=True):
    done = subprocess.run(cmd, env=env, check=True, text=True,
                          stdout=subprocess.PIPE if capture else None)
    return done.stdout if capture else ""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode() or "null")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def to_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def lua_script(tokens, files):
    """wrk's script: each request takes the next body and the next user's token."""
    def long_string(s):
        return "[==[" + s + "]==]"
    bodies = []
    for i, (nir, name) in enumerate(files):
        if i % 4 == 0:
            name = "Nomquinexistepas"
        bodies.append(json.dumps({"service": SERVICE, "nir": nir, "name": name}, ensure_ascii=False))
    return (
        "local tokens = {" + ",".join(long_string(t) for t in tokens) + "}\n"
        "local bodies = {" + ",\n".join(long_string(b) for b in bodies) + "}\n"
        """
local n = 0
local first = 0
local threads = 0
function setup(thread)
  thread:set("first", threads * 7919)
  threads = threads + 1
end
function init(args)
  n = first
end
function request()
  n = n + 1
  return wrk.format("POST", "/api/v1/lookups", {
    ["Authorization"] = "Bearer " .. tokens[n % #tokens + 1],
    ["Content-Type"] = "application/json",
  }, bodies[n % #bodies + 1])
end
"""
    )


def wrk(url, script, connections, seconds):
    out = run("wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "total": total,
        "p50": to_ms(lat["50"]),
        "p99": to_ms(lat["99"]),
        "errors": errors,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


class Server:
    def __init__(self, binary, database, env):
        self.binary, self.database, self.env = binary, database, env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def cli(self, *args):
        return run(self.binary, "--database", self.database, *args, env=self.env)

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "--database", self.database, "serve", "--listen",
             f"127.0.0.1:{self.port}", "--lookups-per-minute", "100000"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/api/v1/health", timeout=1)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.proc.poll() is not None:
                    sys.exit("guichet-server s'est arrêté au démarrage")
                time.sleep(0.1)
        sys.exit("guichet-server ne répond pas")

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


def sign_in(server, identifiant, password):
    status, body = call(server.base, "POST", "/api/v1/sessions",
                        {"identifiant": identifiant, "password": password})
    if status != 201:
        sys.exit(f"connexion de {identifiant} refusée : {status} {body}")
    return body["token"]


def prepare_users(server):
    """demo.caf and seven colleagues of the same partner, each with a changed password."""
    tiers = "DEMO-CCAS-78"  # demo.caf's partner (crates/service/src/demo.rs)
    users = [("demo.caf", PASSWORD)]
    for i in range(1, USERS):
        out = server.cli("admin", "user", "add", "--partner", tiers, "--identifiant",
                         f"bench.{i}", "--name", f"Agent {i}", "--email", f"bench{i}@example.org",
                         "--service", SERVICE)
        # The temporary password is the last line.
        users.append((f"bench.{i}", out.strip().splitlines()[-1]))
    return users


def tokens_for(server, users):
    tokens = []
    for identifiant, password in users:
        token = sign_in(server, identifiant, password)
        status, body = call(server.base, "PUT", "/api/v1/sessions/current/password",
                            {"current_password": password, "new_password": NEW_PASSWORD}, token)
        if status not in (200, 204):
            sys.exit(f"changement de mot de passe de {identifiant} refusé : {status} {body}")
        tokens.append(sign_in(server, identifiant, NEW_PASSWORD))
    return tokens


def measure(label, binary, database, files, seconds, env, workdir):
    server = Server(binary, database, env)
    t = time.monotonic()
    server.cli("seed", "--files", str(files))
    seeded = time.monotonic() - t
    users = prepare_users(server)
    sample = server.cli("sample", "--count", str(KNOWN_FILES), "--caisse", "CAF-78")
    known = [(d["nir"], d["birth_name"]) for d in map(json.loads, sample.splitlines()) if d]
    script = os.path.join(workdir, f"lookups-{label}.lua")
    server.start()
    try:
        tokens = tokens_for(server, users)
        with open(script, "w") as f:
            f.write(lua_script(tokens, known))
        url = server.base
        wrk(url, script, 64, 2)  # warm-up: connections, caches, statements
        rows = {}
        for connections in (8, 64):
            # GUICHET_BENCH_PERF=FILE: a CPU profile of the server during the 64-connection run
            # (needs a binary with symbols; the release profile strips them); with
            # GUICHET_BENCH_PERF_ALL=1, of the whole machine (server, PostgreSQL and wrk).
            perf = None
            if connections == 64 and os.environ.get("GUICHET_BENCH_PERF"):
                perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o",
                                         os.environ["GUICHET_BENCH_PERF"] + f".{label}",
                                         *(["-a"] if os.environ.get("GUICHET_BENCH_PERF_ALL")
                                           else ["-p", str(server.proc.pid)])],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            before = cpu_seconds(server.proc.pid)
            figures = wrk(url, script, connections, seconds)
            used = cpu_seconds(server.proc.pid) - before
            if perf:
                perf.send_signal(signal.SIGINT)
                perf.wait()
            figures["cpu_per_1000"] = used / max(figures["total"], 1) * 1000
            rows[connections] = figures
    finally:
        server.stop()
    return seeded, rows


def pgbench(url, seconds, prepared):
    args = ["pgbench", "-N", "-c", "64", "-j", "2", "-T", str(seconds)]
    if prepared:
        args += ["-M", "prepared"]
    out = run(*args, url)
    return float(re.search(r"^tps = ([\d.]+)", out, re.M).group(1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--files", default="100000")
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--pg-url", default=os.environ.get(
        "GUICHET_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--only", choices=["sqlite", "postgres"])
    a = p.parse_args()
    sizes = [int(s) for s in a.files.split(",")]
    workdir = tempfile.mkdtemp(prefix="guichet-bench-")
    env = dict(os.environ, GUICHET_LOG="warn")
    admin = a.pg_url
    base = admin.rsplit("/", 1)[0]
    print(f"# Guichet — traced lookups from outside: wrk -t2 (own process), {USERS} users, "
          f"{KNOWN_FILES} known files, {a.seconds} s per run; server: guichet-server serve")
    print(f"{'backend':<10} {'files':>10} {'conn':>5} {'lookups/s':>10} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'CPU s/1000':>11} {'non-200':>8}")
    results = {}
    pg_tps = {}
    try:
        for backend in ("sqlite", "postgres"):
            if a.only and a.only != backend:
                continue
            for files in sizes:
                if backend == "sqlite":
                    path = os.path.join(workdir, f"bench-{files}.db")
                    database = f"sqlite://{path}"
                else:
                    name = f"guichet_bench_{files}"
                    run("psql", admin, "-qX", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                        "-c", f"CREATE DATABASE {name}")
                    database = f"{base}/{name}"
                if backend == "postgres" and not pg_tps:
                    run("psql", admin, "-qX", "-c", "DROP DATABASE IF EXISTS guichet_pgbench WITH (FORCE)",
                        "-c", "CREATE DATABASE guichet_pgbench")
                    subprocess.run(["pgbench", "-q", "-i", "-s", "10", f"{base}/guichet_pgbench"],
                                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    pg_tps["simple"] = pgbench(f"{base}/guichet_pgbench", a.seconds, False)
                seeded, rows = measure(f"{backend}-{files}", a.server, database, files,
                                       a.seconds, env, workdir)
                results[(backend, files)] = rows
                for connections, f in rows.items():
                    print(f"{backend:<10} {files:>10} {connections:>5} {f['rps']:>10.0f} "
                          f"{f['p50']:>8.2f} {f['p99']:>8.2f} {f['cpu_per_1000']:>11.2f} "
                          f"{f['errors']:>8}" + (f"  socket errors: {f['socket_errors']}"
                                                 if f["socket_errors"] else ""))
                print(f"{'':<10} {'':>10} seeded in {seeded:.0f} s")
                if backend == "postgres":
                    run("psql", admin, "-qX", "-c", f"DROP DATABASE IF EXISTS guichet_bench_{files} WITH (FORCE)")
                else:
                    for suffix in ("", "-wal", "-shm"):
                        if os.path.exists(path + suffix):
                            os.remove(path + suffix)
        if pg_tps:
            pg_tps["prepared"] = pgbench(f"{base}/guichet_pgbench", a.seconds, True)
            run("psql", admin, "-qX", "-c", "DROP DATABASE IF EXISTS guichet_pgbench WITH (FORCE)")
            print(f"pgbench -N -c 64 -j 2 (same PostgreSQL, same run): {pg_tps['simple']:.0f} tps; "
                  f"-M prepared: {pg_tps['prepared']:.0f} tps")
            for (backend, files), rows in results.items():
                if backend == "postgres":
                    rps = rows[64]["rps"]
                    print(f"ratio, postgres {files} files, 64 connections: "
                          f"{rps / pg_tps['simple']:.2f} × pgbench -N, "
                          f"{rps / pg_tps['prepared']:.2f} × pgbench -N -M prepared")
        if len(sizes) > 1:
            small, big = sizes[0], sizes[-1]
            for backend in ("sqlite", "postgres"):
                if (backend, small) in results and (backend, big) in results:
                    for c in (8, 64):
                        a50 = results[(backend, small)][c]["p50"]
                        b50 = results[(backend, big)][c]["p50"]
                        print(f"growth, {backend}, {c} connections: p50 {a50:.2f} → {b50:.2f} ms "
                              f"({b50 / a50:.2f}×), p99 {results[(backend, small)][c]['p99']:.2f} → "
                              f"{results[(backend, big)][c]['p99']:.2f} ms")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
