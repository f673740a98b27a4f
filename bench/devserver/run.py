#!/usr/bin/env python3
"""Load generator for flyte-devserver: executions per second and p50/p99 latency of
CreateExecution and GetExecution for N concurrent clients, against a trivial raw-container
task (`echo {{.inputs.x}}`), uncached (every execution runs the process) and cached (after
one warm-up run every execution is a cache hit and runs nothing).

Each client is a closed loop over one keep-alive connection: create an execution of the
launch plan, poll GetExecution every --poll-ms until it is terminal, repeat until --seconds
have passed. Every request goes through the real HTTP API (admin-api.md), nothing else.

  python3 bench/devserver/run.py --server build/devserver/flyte-devserver --clients 1,4,16 --seconds 10

--url uses a server that is already running instead of starting one (its project
flytesnacks/development must exist). --markdown prints the table for bench/RESULTS.md,
--json FILE writes every figure.
"""
import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

PROJECT, DOMAIN, VERSION = "flytesnacks", "development", "v1"
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}
TERMINAL = {"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"}


class Unavailable(Exception):
    """The server does not serve an endpoint the benchmark needs (yet)."""


class Client:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, url, token=None):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.headers = dict(JSON_HEADERS)
        if token:
            self.headers["Authorization"] = "Bearer " + token
        self.conn = None

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.conn.connect()
                # Nagle plus delayed ACKs would add 40 ms to requests sent in two writes.
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.conn.request(method, path, body=data, headers=self.headers)
                r = self.conn.getresponse()
                text = r.read()
                return r.status, json.loads(text) if text else None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def close(self):
        if self.conn:
            self.conn.close()


# ---- entities ----

def ident(kind, name):
    return {"resource_type": kind, "project": PROJECT, "domain": DOMAIN, "name": name, "version": VERSION}


INT = {"simple": "INTEGER"}


def task_request(name, cached):
    metadata = {"runtime": {"type": "OTHER", "version": "1.0.0", "flavor": "bench"}, "retries": {"retries": 0},
                "discoverable": cached}
    if cached:
        metadata["discovery_version"] = "1"
    return {"id": ident("TASK", name), "spec": {"template": {
        "id": ident("TASK", name), "type": "raw-container", "metadata": metadata,
        "interface": {"inputs": {"variables": {"x": {"type": INT, "description": ""}}}, "outputs": {"variables": {}}},
        "container": {"image": "bench:local", "command": ["echo"], "args": ["{{.inputs.x}}"]}}}}


def workflow_request(name, task):
    return {"id": ident("WORKFLOW", name), "spec": {"template": {
        "id": ident("WORKFLOW", name), "metadata": {},
        "interface": {"inputs": {"variables": {"x": {"type": INT, "description": ""}}}, "outputs": {"variables": {}}},
        "nodes": [{"id": "n0", "metadata": {"name": "n0", "retries": {"retries": 0}},
                   "inputs": [{"var": "x", "binding": {"promise": {"node_id": "start-node", "var": "x"}}}],
                   "task_node": {"reference_id": ident("TASK", task)}}],
        "outputs": []}}}


def launch_plan_request(name, workflow):
    return {"id": ident("LAUNCH_PLAN", name), "spec": {"workflow_id": ident("WORKFLOW", workflow),
                                                        "default_inputs": {"parameters": {}},
                                                        "fixed_inputs": {"literals": {}}}}


def register(client, path, body):
    status, resp = client.call("POST", path, body)
    if status in (404, 501):
        raise Unavailable(f"POST {path} answered {status}: {resp}")
    if status not in (200, 409):  # 409: registered by an earlier run on the same database
        raise RuntimeError(f"POST {path} answered {status}: {resp}")


def setup(client, mode):
    task, wf, lp = f"bench.{mode}.task", f"bench.{mode}.wf", f"bench.{mode}.lp"
    register(client, "/api/v1/tasks", task_request(task, mode == "cached"))
    register(client, "/api/v1/workflows", workflow_request(wf, task))
    register(client, "/api/v1/launch_plans", launch_plan_request(lp, wf))
    return lp


# ---- one execution ----

def new_name(prefix):
    return prefix + "-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=12))


def create_request(lp, name, x):
    return {"project": PROJECT, "domain": DOMAIN, "name": name,
            "spec": {"launch_plan": ident("LAUNCH_PLAN", lp), "metadata": {"mode": "MANUAL"}},
            "inputs": {"literals": {"x": {"scalar": {"primitive": {"integer": str(x)}}}}}}


def run_one(client, lp, name, x, poll_s, stats):
    t0 = time.perf_counter()
    status, resp = client.call("POST", "/api/v1/executions", create_request(lp, name, x))
    t1 = time.perf_counter()
    if status in (404, 501):
        raise Unavailable(f"POST /api/v1/executions answered {status}: {resp}")
    if status != 200:
        stats.error(f"create {status}: {resp}")
        return None
    stats.create.append(t1 - t0)
    path = f"/api/v1/executions/{PROJECT}/{DOMAIN}/{name}"
    while True:
        g0 = time.perf_counter()
        status, ex = client.call("GET", path)
        stats.get.append(time.perf_counter() - g0)
        if status != 200:
            stats.error(f"get {status}: {ex}")
            return None
        phase = ex["closure"]["phase"]
        if phase in TERMINAL:
            stats.e2e.append(time.perf_counter() - t0)
            if phase != "SUCCEEDED":
                stats.error(f"{name} {phase}: {ex['closure'].get('error')}")
            return phase
        time.sleep(poll_s)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.create, self.get, self.e2e = [], [], []
        self.done = 0
        self.errors = []

    def error(self, text):
        with self.lock:
            self.errors.append(text)


def percentile(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


def cache_status(client, name):
    status, ne = client.call("GET", f"/api/v1/node_executions/{PROJECT}/{DOMAIN}/{name}/n0")
    if status != 200:
        return f"(node execution: {status})"
    meta = ne["closure"].get("task_node_metadata")
    return meta["cache_status"] if meta else "(no task_node_metadata)"


def run_load(url, token, mode, lp, clients, seconds, poll_s):
    stats = Stats()
    deadline = time.perf_counter() + seconds
    counter = iter(range(10 ** 9))
    counter_lock = threading.Lock()
    failure = []
    last_name = {}

    def worker(i):
        c = Client(url, token)
        try:
            while time.perf_counter() < deadline:
                with counter_lock:
                    n = next(counter)
                name = new_name(f"b{mode[0]}{clients}-{i}")
                # uncached: a new input each time; cached: always the warmed-up input
                phase = run_one(c, lp, name, 1 if mode == "cached" else 1000 + n, poll_s, stats)
                if phase is not None:
                    with stats.lock:
                        stats.done += 1
                    last_name[i] = name
        except Exception as e:  # reported after the run
            failure.append(e)
        finally:
            c.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if failure:
        raise failure[0]
    ms = 1000.0
    sample = next(iter(last_name.values()), None)
    return {
        "mode": mode, "clients": clients, "seconds": round(elapsed, 3), "executions": stats.done,
        "executions_per_s": round(stats.done / elapsed, 2),
        "create_p50_ms": round(percentile(stats.create, 50) * ms, 2),
        "create_p99_ms": round(percentile(stats.create, 99) * ms, 2),
        "get_p50_ms": round(percentile(stats.get, 50) * ms, 2),
        "get_p99_ms": round(percentile(stats.get, 99) * ms, 2),
        "gets": len(stats.get),
        "e2e_p50_ms": round(percentile(stats.e2e, 50) * ms, 2),
        "e2e_p99_ms": round(percentile(stats.e2e, 99) * ms, 2),
        "errors": len(stats.errors), "first_errors": stats.errors[:3],
        "cache_status": cache_status(Client(url, token), sample) if sample else None,
    }


# ---- the server ----

def start_server(binary, workers, token):
    work = tempfile.mkdtemp(prefix="devserver-bench-")
    cmd = [binary, "--listen", "127.0.0.1:0", "--db", os.path.join(work, "db.sqlite"),
           "--data-dir", os.path.join(work, "data"), "--workers", str(workers)]
    if token:
        cmd += ["--auth-token", token]
    log = open(os.path.join(work, "server.log"), "wb")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
    url = proc.stdout.readline().decode().strip()
    if not url.startswith("http://"):
        proc.kill()
        sys.exit(f"the server did not print its URL; see {work}/server.log")
    return proc, url, work


def stop_server(proc, work, keep):
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(30)
    if rc != 0:
        print(f"warning: the server exited with {rc}; log kept in {work}", file=sys.stderr)
    elif not keep:
        shutil.rmtree(work, ignore_errors=True)


def markdown(results, args, info):
    lines = [f"flyte-devserver, {info['cpus']} CPUs ({info['machine']}), --workers {args.workers}, "
             f"{args.seconds} s per row, poll every {args.poll_ms} ms, one keep-alive connection per client.", "",
             "| task | clients | executions | exec/s | create p50 / p99 ms | get p50 / p99 ms | "
             "end-to-end p50 / p99 ms | cache status | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in results:
        lines.append(f"| {r['mode']} | {r['clients']} | {r['executions']} | {r['executions_per_s']} | "
                     f"{r['create_p50_ms']} / {r['create_p99_ms']} | {r['get_p50_ms']} / {r['get_p99_ms']} | "
                     f"{r['e2e_p50_ms']} / {r['e2e_p99_ms']} | {r['cache_status']} | {r['errors']} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--server", help="flyte-devserver binary to start (in a temporary directory)")
    src.add_argument("--url", help="a running server")
    ap.add_argument("--clients", default="1,4,16", help="comma-separated client counts (default 1,4,16)")
    ap.add_argument("--seconds", type=float, default=10, help="duration of each row (default 10)")
    ap.add_argument("--modes", default="uncached,cached", help="uncached, cached or both (default both)")
    ap.add_argument("--workers", type=int, default=4, help="--workers of the started server (default 4)")
    ap.add_argument("--poll-ms", type=float, default=2, help="GetExecution poll interval (default 2)")
    ap.add_argument("--auth-token", help="start the server with / send this bearer token")
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    ap.add_argument("--keep", action="store_true", help="keep the server's temporary directory")
    args = ap.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    modes = [m for m in args.modes.split(",") if m]
    if any(m not in ("uncached", "cached") for m in modes) or any(c < 1 for c in clients):
        ap.error("--modes takes uncached and/or cached; --clients positive numbers")

    proc = work = None
    url = args.url
    if args.server:
        proc, url, work = start_server(args.server, args.workers, args.auth_token)
    info = {"cpus": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version()}
    results = []
    try:
        admin = Client(url, args.auth_token)
        for mode in modes:
            lp = setup(admin, mode)
            if mode == "cached":  # populate the cache so that every measured run hits it
                stats = Stats()
                run_one(admin, lp, new_name("warmup"), 1, args.poll_ms / 1000, stats)
                if stats.errors:
                    sys.exit(f"warm-up execution failed: {stats.errors[0]}")
            for n in clients:
                r = run_load(url, args.auth_token, mode, lp, n, args.seconds, args.poll_ms / 1000)
                results.append(r)
                print(f"{mode:8} clients={n:<3} exec/s={r['executions_per_s']:<8} "
                      f"create p50/p99={r['create_p50_ms']}/{r['create_p99_ms']} ms  "
                      f"get p50/p99={r['get_p50_ms']}/{r['get_p99_ms']} ms  "
                      f"e2e p50/p99={r['e2e_p50_ms']}/{r['e2e_p99_ms']} ms  "
                      f"cache={r['cache_status']} errors={r['errors']}", flush=True)
                for e in r["first_errors"]:
                    print("   error:", e[:300])
        admin.close()
    except Unavailable as e:
        print(f"the dev server does not serve what the benchmark needs yet: {e}", file=sys.stderr)
        return 2
    finally:
        if proc:
            stop_server(proc, work, args.keep)
    if args.markdown:
        print()
        print(markdown(results, args, info))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "args": vars(args), "results": results}, f, indent=2)
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
