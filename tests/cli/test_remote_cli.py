#!/usr/bin/env python3
"""End-to-end tests of flyte-remote's network commands against a real flyte-devserver.

Starts the dev server on a free loopback port with a fresh database, then runs every
subcommand: register (JSON and YAML, idempotent, conflicting), run --wait with outputs, a
cache hit whose predicted key equals the server's, --overwrite-cache, get, list, wait,
terminate, relaunch, recover, cache-key --task (equal to the server's key), config show
(secrets masked), bad usage (exit 2), an unreachable endpoint (exit 3) and a failing task
(exit 1).

Usage: test_remote_cli.py --binary flyte-remote --devserver flyte-devserver --specs DIR
Set FLYTE_CLI_WRAPPER to run the binary under a tool, e.g.
FLYTE_CLI_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full".
"""
import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REMOTE = 0, 1, 2, 3


class DevServer:
    def __init__(self, binary, tmpdir, extra=()):
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--db", os.path.join(tmpdir, "db.sqlite"),
             "--data-dir", os.path.join(tmpdir, "data"), "--workers", "4"] + list(extra),
            stdout=subprocess.PIPE, stderr=open(os.path.join(tmpdir, "server.log"), "wb"))
        self.url = self.proc.stdout.readline().decode().strip()
        if not self.url.startswith("http://"):
            self.stop()
            raise RuntimeError("flyte-devserver did not start (see %s/server.log)" % tmpdir)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Runner:
    def __init__(self, binary, tmpdir, url):
        self.cmd = shlex.split(os.environ.get("FLYTE_CLI_WRAPPER", "")) + [binary]
        self.tmpdir = tmpdir
        self.url = url
        self.passed = 0
        self.failed = 0
        self.n_files = 0
        # A clean environment: no configuration of the person running the tests.
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("FLYTE_") or k == "FLYTE_CLI_WRAPPER"}
        self.env.pop("FLYTECTL_CONFIG", None)
        self.env["HOME"] = tmpdir

    def run(self, args, env=None, remote=True, stdin=b"", timeout=300):
        full = self.cmd + (["--endpoint", self.url] if remote else []) + args
        e = dict(self.env, **(env or {}))
        p = subprocess.run(full, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e,
                           timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def json(self, args, want_rc=EXIT_OK, **kw):
        """Runs with -o json; returns the document (None when stdout is not one JSON document)."""
        rc, out, err = self.run(args + ["-o", "json"], **kw)
        try:
            doc = json.loads(out)
        except ValueError:
            doc = None
        problems = []
        if rc != want_rc:
            problems.append("exit status %d, want %d; stderr: %r" % (rc, want_rc, err))
        if doc is None:
            problems.append("stdout is not one JSON document: %r" % out)
        return doc, problems

    def file(self, content, name=None):
        self.n_files += 1
        path = os.path.join(self.tmpdir, name or "in%d" % self.n_files)
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)
        return path

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print("FAIL %s" % name)
            for p in problems:
                print("    " + p)
        else:
            self.passed += 1
            print("ok   %s" % name)

    def expect(self, name, args, rc_want, out_needles=(), err_needles=(), env=None, remote=True,
               stdout_empty=False, stdin=b""):
        rc, out, err = self.run(args, env=env, remote=remote, stdin=stdin)
        problems = []
        if rc != rc_want:
            problems.append("exit status %d, want %d; stdout %r; stderr %r" % (rc, rc_want, out, err))
        for n in out_needles:
            if n not in out:
                problems.append("stdout lacks %r: %r" % (n, out))
        for n in err_needles:
            if n not in err:
                problems.append("stderr lacks %r: %r" % (n, err))
        if stdout_empty and out:
            problems.append("unexpected stdout: %r" % out)
        self.check(name, problems)
        return rc, out, err


def node(doc, i=0):
    nodes = doc.get("nodes") or [{}]
    return nodes[i] if i < len(nodes) else {}


# ---- tests ----

def test_help(r):
    for cmd in ["register", "run", "execute", "get", "list", "wait", "terminate", "relaunch", "recover",
                "cache-key", "config"]:
        r.expect("%s --help" % cmd, [cmd, "--help"], EXIT_OK,
                 out_needles=["Usage: flyte-remote %s" % cmd, "--endpoint", "-o, --output"], remote=False)
    r.expect("register --help documents the spec format", ["register", "--help"], EXIT_OK,
             out_needles=["kind: task", "kind: workflow", "kind: launch_plan", "list<T>", "blob:FORMAT",
                          "inputs.NAME", "NODE.OUTPUT", "defaults", "fixed"], remote=False)
    r.expect("run --help documents the inputs", ["run", "--help"], EXIT_OK,
             out_needles=["--input NAME=VALUE", "RFC 3339", "1h30m", "--hash", "sha256-file", "--timeout"],
             remote=False)
    r.expect("main --help lists the commands", ["--help"], EXIT_OK,
             out_needles=["register", "terminate", "config", "Exit status"], remote=False)


def test_register(r, specs):
    files = [os.path.join(specs, f) for f in ("add_task.json", "pipeline.yaml", "tasks.yaml")]
    doc, problems = r.json(["register"] + files)
    want = {("task", "cli.add"), ("workflow", "cli.pipeline"), ("launch_plan", "cli.pipeline"),
            ("launch_plan", "cli.pipeline.daily"), ("task", "cli.fail"), ("task", "cli.sleep"),
            ("task", "cli.count_lines"), ("task", "cli.types"), ("task", "cli.env")}
    if doc:
        got = {(e["kind"], e["name"]) for e in doc["entities"]}
        if got != want:
            problems.append("registered %r, want %r" % (sorted(got), sorted(want)))
        if any(e["status"] != "registered" for e in doc["entities"]):
            problems.append("not all newly registered: %r" % doc["entities"])
    r.check("register JSON and YAML specs", problems)

    r.expect("register again is idempotent", ["register"] + files, EXIT_OK,
             out_needles=["unchanged    task flytesnacks/development/cli.add:1 (already registered, identical)",
                          "unchanged    launch plan flytesnacks/development/cli.pipeline.daily:1"])
    doc, problems = r.json(["register", files[0]])
    if doc and [e["status"] for e in doc["entities"]] != ["already_registered"]:
        problems.append("status %r" % doc["entities"])
    r.check("register again -o json says already_registered", problems)

    with open(files[0], encoding="utf-8") as f:
        changed = json.load(f)
    changed["args"] = ["echo $(( {{.inputs.a}} * {{.inputs.b}} )) > {{.outputPrefix}}/sum"]
    path = r.file(json.dumps(changed), "changed.json")
    r.expect("a different body under the same version is a conflict", ["register", path], EXIT_USAGE,
             err_needles=["a different task cli.add is already registered under version \"1\"",
                          "give the spec a new version"], stdout_empty=True)
    # Version 2 computes the same sums differently: runs that name no version get it.
    changed["args"] = ["echo $(( {{.inputs.b}} + {{.inputs.a}} )) > {{.outputPrefix}}/sum"]
    changed["version"] = "2"
    path = r.file(json.dumps(changed), "changed2.json")
    r.expect("a new version registers", ["register", path], EXIT_OK,
             out_needles=["registered   task flytesnacks/development/cli.add:2"])
    r.expect("a spec on standard input (YAML)", ["register", "-"], EXIT_USAGE,
             err_needles=["standard input: spec 1", "missing \"name\""], stdin=b"kind: task\nversion: '1'\n")
    r.expect("a spec list on standard input (JSON)", ["register", "-"], EXIT_OK,
             out_needles=["unchanged    task flytesnacks/development/cli.add:1"],
             stdin=open(files[0], "rb").read().join([b"[", b"]"]))


def test_register_errors(r):
    cases = [
        ("unknown field", "kind: task\nname: t\nversion: '1'\nimage: i\ncommand: [x]\nimagee: y\n",
         ["unknown field \"imagee\"", "(task t)"]),
        ("unknown type", "kind: task\nname: t\nversion: '1'\nimage: i\ncommand: [x]\ninputs: {a: integr}\n",
         ["inputs.a", "unknown type \"integr\""]),
        ("missing image", "kind: task\nname: t\nversion: '1'\ncommand: [x]\n", ["missing \"image\""]),
        ("float version", "kind: task\nname: t\nversion: 1.0\nimage: i\ncommand: [x]\n",
         ["version: expected a non-empty string", "quote it"]),
        ("bad kind", "kind: pipeline\nname: t\n", ["\"kind\" must be task, workflow or launch_plan"]),
        ("YAML syntax", "kind: task\nname: [unclosed\n", ["line", "flow sequence"]),
        ("cache without version",
         "kind: task\nname: t\nversion: '1'\nimage: i\ncommand: [x]\ncache: true\n",
         ["If version is not defined then at least one cache policy needs to be set"]),
        ("unknown task in a node",
         "kind: workflow\nname: w\nversion: '1'\nnodes: [{id: n0, task: 'nope:1'}]\n",
         ["nodes[0].task", "task nope:1 is neither registered"]),
        ("node input of an unknown workflow input",
         "kind: workflow\nname: w\nversion: '1'\ninputs: {a: integer}\n"
         "nodes: [{id: n0, task: 'cli.add:1', inputs: {a: inputs.zz, b: 1}}]\n",
         ["nodes[0].inputs.a", "no input \"zz\""]),
        ("unbound task input",
         "kind: workflow\nname: w\nversion: '1'\ninputs: {a: integer}\n"
         "nodes: [{id: n0, task: 'cli.add:1', inputs: {a: inputs.a}}]\n",
         ["nodes[0] (n0)", "\"b\""]),
        ("constant of the wrong type",
         "kind: workflow\nname: w\nversion: '1'\ninputs: {a: integer}\n"
         "nodes: [{id: n0, task: 'cli.add:1', inputs: {a: inputs.a, b: hello}}]\n",
         ["nodes[0].inputs.b", "expected an integer, got \"hello\""]),
        ("launch plan default of the wrong type",
         "kind: launch_plan\nname: lp\nworkflow: 'cli.pipeline:1'\ndefaults: {b: [1]}\n",
         ["defaults.b", "expected integer, got a list"]),
        ("launch plan default for an unknown input",
         "kind: launch_plan\nname: lp\nworkflow: 'cli.pipeline:1'\ndefaults: {zz: 1}\n",
         ["defaults.zz", "no input \"zz\""]),
        ("empty file", "", ["no spec in the file"]),
    ]
    for name, text, needles in cases:
        path = r.file(text, "bad%d.yaml" % r.n_files)
        r.expect("register: %s" % name, ["register", path], EXIT_USAGE, err_needles=needles, stdout_empty=True)
    bad_json = r.file('{"kind": "task", "name": }', "bad.json")
    r.expect("register: malformed JSON", ["register", bad_json], EXIT_USAGE, err_needles=["bad.json: line 1"])
    r.expect("register: no file", ["register"], EXIT_USAGE, err_needles=["no spec file given"])
    r.expect("register: missing file", ["register", os.path.join(r.tmpdir, "nope.yaml")], EXIT_USAGE,
             err_needles=["nope.yaml", "No such file"])


def test_run_and_cache(r):
    doc, problems = r.json(["run", "--task", "cli.add:1", "--input", "a=3", "--input", "b=4", "--wait"])
    first = doc
    if doc:
        if doc["phase"] != "SUCCEEDED" or doc["outputs"] != {"sum": 7}:
            problems.append("phase %s outputs %r" % (doc["phase"], doc["outputs"]))
        if node(doc).get("cache_status") != "CACHE_POPULATED":
            problems.append("first run cache status %r" % node(doc).get("cache_status"))
        keys = doc["cache_keys"]
        if len(keys) != 1 or keys[0]["matches"] is not True:
            problems.append("cache keys %r" % keys)
    r.check("run --task --wait: outputs, cache populated, predicted key matched", problems)

    doc, problems = r.json(["run", "--task", "cli.add", "--input", "a=3", "--input", "b=4", "--wait"])
    if doc and first:
        if node(doc).get("cache_status") != "CACHE_HIT":
            problems.append("second run cache status %r" % node(doc).get("cache_status"))
        k = doc["cache_keys"][0] if doc["cache_keys"] else {}
        if not (k.get("matches") is True and k.get("artifact_tag") == k.get("server_artifact_tag")
                and k.get("dataset", {}).get("version") == k.get("server_dataset_version")):
            problems.append("predicted key differs from the server's: %r" % k)
        if k.get("artifact_tag") != first["cache_keys"][0]["artifact_tag"]:
            problems.append("same inputs, different tags")
        if doc["outputs"] != {"sum": 7}:
            problems.append("outputs %r" % doc["outputs"])
    r.check("second run: cache hit, predicted key equals the server's", problems)

    rc, out, err = r.expect("run --wait in text: progress on stderr, outcome on stdout",
                            ["run", "--task", "cli.add", "--input", "a=3", "--input", "b=4", "--wait"], EXIT_OK,
                            out_needles=["Predicted cache keys:", "cache CACHE_HIT", "sum = 7",
                                         "the server used the predicted key"],
                            err_needles=["SUCCEEDED", "nodes 1/1 done", "cache hits 1"])

    doc, problems = r.json(["run", "--task", "cli.add", "--input", "a=3", "--input", "b=4", "--wait",
                            "--overwrite-cache"])
    if doc and (node(doc).get("cache_status") == "CACHE_HIT" or doc["outputs"] != {"sum": 7}):
        problems.append("overwrite-cache: %r %r" % (node(doc).get("cache_status"), doc["outputs"]))
    r.check("--overwrite-cache runs the task again", problems)

    doc, problems = r.json(["cache-key", "--task", "cli.add:1", "--input", "a=3", "--input", "b=4"])
    if doc and first:
        k = first["cache_keys"][0]
        n = node(first)
        if doc["artifact_tag"] != n.get("catalog_key", {}).get("artifact_tag"):
            problems.append("cache-key tag %s, server %r" % (doc["artifact_tag"], n.get("catalog_key")))
        if doc["dataset"]["version"] != n.get("catalog_key", {}).get("version"):
            problems.append("cache-key dataset %r, server %r" % (doc["dataset"], n.get("catalog_key")))
        if doc["dataset"]["name"] != "flyte_task-cli.add" or doc["artifact_tag"] != k["artifact_tag"]:
            problems.append("dataset %r" % doc["dataset"])
    r.check("cache-key --task equals the key the server reported", problems)
    r.expect("cache-key --task in text", ["cache-key", "--task", "cli.add", "--input", "a=3", "--input", "b=4"],
             EXIT_OK, out_needles=["Dataset:       flytesnacks/development/flyte_task-cli.add",
                                   "Artifact tag:  flyte_cached-"])
    r.expect("cache-key --task with a missing input", ["cache-key", "--task", "cli.add", "--input", "a=3"],
             EXIT_USAGE, err_needles=["missing --input b=VALUE"])
    r.expect("cache-key --task of a task without cache", ["cache-key", "--task", "cli.fail", "--input", "x=1"],
             EXIT_USAGE, err_needles=["not cacheable"])


def test_files_and_hashes(r):
    csv = r.file("a,b\n1,2\n3,4\n", "data.csv")
    tags = []
    for label in ("x", "y"):
        doc, problems = r.json(["cache-key", "--task", "cli.count_lines", "--input", "data=" + csv,
                                "--input", "label=" + label])
        tags.append(doc and doc["artifact_tag"])
        r.check("cache-key with a file (label %s)" % label, problems)
    r.check("an ignored input leaves the key alone", [] if tags[0] and tags[0] == tags[1] else ["%r" % tags])
    doc, problems = r.json(["run", "--task", "cli.count_lines", "--input", "data=" + csv, "--input", "label=z",
                            "--wait"])
    if doc:
        if doc["outputs"] != {"lines": 3}:
            problems.append("outputs %r" % doc["outputs"])
        if node(doc).get("catalog_key", {}).get("artifact_tag") != tags[0]:
            problems.append("server tag %r, cache-key said %r" % (node(doc).get("catalog_key"), tags[0]))
    r.check("a local file is uploaded; cache-key predicted the server's key", problems)

    hashed, problems = r.json(["cache-key", "--task", "cli.count_lines", "--input", "data=" + csv,
                               "--input", "label=x", "--hash", "data=sha256-file"])
    r.check("cache-key --hash sha256-file", problems)
    copy = r.file("a,b\n1,2\n3,4\n", "copy.csv")
    doc, problems = r.json(["run", "--task", "cli.count_lines", "--input", "data=" + copy, "--input", "label=q",
                            "--hash", "data=sha256-file", "--wait"])
    if doc and hashed:
        k = doc["cache_keys"][0] if doc["cache_keys"] else {}
        if k.get("server_artifact_tag") != hashed["artifact_tag"] or k.get("matches") is not True:
            problems.append("hashed key %r, cache-key %r" % (k, hashed["artifact_tag"]))
        if doc["inputs"]["data"]["uri"] in (copy, "file://" + copy):
            problems.append("the local path was sent: %r" % doc["inputs"]["data"])
    r.check("run --hash data=sha256-file: the key follows the bytes", problems)
    r.expect("--hash with an unknown function", ["run", "--task", "cli.count_lines", "--hash", "data=md5"],
             EXIT_USAGE, err_needles=["unknown function \"md5\""])
    r.expect("--hash of an unknown input", ["run", "--task", "cli.count_lines", "--hash", "zz=sha256-file"],
             EXIT_USAGE, err_needles=["no input \"zz\"", "data (blob(format=csv))"])
    r.expect("a missing local file", ["run", "--task", "cli.count_lines", "--input", "data=/nonexistent.csv",
                                      "--input", "label=x"], EXIT_USAGE,
             err_needles=["--input data", "/nonexistent.csv", "No such file"])


def test_typed_inputs(r):
    args = ["run", "--task", "cli.types", "--wait",
            "--input", "n=42", "--input", "ratio=0.5", "--input", "when=2024-05-01T12:30:00+02:00",
            "--input", "every=1h30m", "--input", "flag=true", "--input", "xs=[1,2,3]",
            "--input", 'weights={"a": 1.5}', "--input", "colour=green", "--input", "maybe=null"]
    doc, problems = r.json(args)
    if doc:
        want = {"n": 42, "ratio": 0.5, "when": "2024-05-01T10:30:00Z", "every": "1h30m0s", "flag": True,
                "xs": [1, 2, 3], "weights": {"a": 1.5}, "colour": "green", "maybe": None}
        if doc["inputs"] != want:
            problems.append("inputs %r, want %r" % (doc["inputs"], want))
        if doc["outputs"] != {"n": 42}:
            problems.append("outputs %r" % doc["outputs"])
    r.check("--input of every type", problems)

    values = r.file(json.dumps({"n": 1, "ratio": 2, "when": "2024-01-01", "every": 90, "flag": False,
                                "xs": [], "weights": {}, "colour": "red", "maybe": "text"}))
    doc, problems = r.json(["run", "--task", "cli.types", "--input-file", values, "--input", "n=5", "--wait"])
    if doc and (doc["inputs"].get("n") != 5 or doc["inputs"].get("every") != "1m30s"
                or doc["inputs"].get("maybe") != "text"):
        problems.append("inputs %r" % doc["inputs"])
    r.check("--input-file of values, --input wins", problems)

    lm = r.file('{"literals": {"a": {"scalar": {"primitive": {"integer": "20"}}},'
                ' "b": {"scalar": {"primitive": {"integer": "22"}}}}}')
    doc, problems = r.json(["execute", "--task", "cli.add", "--input-file", lm, "--wait"])
    if doc and doc["outputs"] != {"sum": 42}:
        problems.append("outputs %r" % doc["outputs"])
    r.check("execute --input-file with a flyteidl LiteralMap", problems)

    base = ["run", "--task", "cli.types", "--input", "n=1", "--input", "ratio=1", "--input", "flag=no",
            "--input", "xs=[]", "--input", "weights={}", "--input", "colour=red", "--input", "maybe=x"]
    for given, name, shown in [("90", "every", "1m30s"), ("1.5s", "every", "1.5s"), ("250ms", "every", "250ms"),
                               ("-2m", "every", "-2m0s"), ("2h0m1s", "every", "2h0m1s"),
                               ("2024-02-29", "when", "2024-02-29T00:00:00Z"),
                               ("2024-05-01T12:00:00.5Z", "when", "2024-05-01T12:00:00.5Z"),
                               ("1969-12-31T23:59:59-01:00", "when", "1970-01-01T00:59:59Z")]:
        other = ("when", "2024-01-01") if name == "every" else ("every", "1s")
        doc, problems = r.json(base + ["--input", "%s=%s" % (name, given), "--input", "%s=%s" % other])
        if doc and doc["inputs"].get(name) != shown:
            problems.append("%s=%s read as %r, want %r" % (name, given, doc["inputs"].get(name), shown))
        r.check("--input %s=%s" % (name, given), problems)

    bad = [
        ("not an integer", ["--input", "n=4.5"], ["--input n", "expected an integer, got \"4.5\""]),
        ("not a leap year", ["--input", "when=2023-02-29"], ["not an RFC 3339 date-time"]),
        ("a duration without a unit after another", ["--input", "every=1h30"], ["not a duration"]),
        ("bad date-time", ["--input", "when=yesterday"], ["not an RFC 3339 date-time"]),
        ("bad duration", ["--input", "every=soon"], ["not a duration"]),
        ("bad enum", ["--input", "colour=purple"], ["\"purple\" is not one of enum"]),
        ("bad list", ["--input", "xs=[1,"], ["--input xs", "expected JSON"]),
        ("list of the wrong items", ["--input", "xs=[1,\"a\"]"], ["--input xs: [1]: expected an integer, got \"a\""]),
        ("no equals sign", ["--input", "n"], ["--input n: expected NAME=VALUE"]),
    ]
    for name, extra, needles in bad:
        r.expect("bad input: %s" % name, ["run", "--task", "cli.types"] + extra, EXIT_USAGE, err_needles=needles,
                 stdout_empty=True)
    r.expect("a required input left out", ["run", "--task", "cli.add", "--input", "a=1"], EXIT_USAGE,
             err_needles=["missing required input \"b\""])


def test_progress_on_a_terminal(r):
    """On a terminal the progress line is rewritten in place (\\r, erase line) and ends with
    a newline; stdout (a pipe) gets the outcome."""
    import pty
    master, slave = pty.openpty()
    full = r.cmd + ["--endpoint", r.url, "run", "--task", "cli.sleep", "--input", "seconds=2", "--wait"]
    p = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=r.env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    out = p.stdout.read().decode()
    p.wait(timeout=300)
    os.close(master)
    err = b"".join(chunks).decode("utf-8", "replace")
    problems = []
    if p.returncode != EXIT_OK:
        problems.append("exit status %d: %r" % (p.returncode, err))
    if "\r\x1b[K" not in err or err.count("\r\x1b[K") < 2:
        problems.append("no live line: %r" % err)
    if "RUNNING" not in err or "SUCCEEDED" not in err or not err.endswith("\n"):
        problems.append("progress %r" % err)
    if "out = done" not in out:
        problems.append("stdout %r" % out)
    r.check("a live progress line on a terminal", problems)


def test_launch_plans(r):
    doc, problems = r.json(["run", "--launch-plan", "cli.pipeline.daily", "--input", "a=1", "--wait"])
    if doc:
        if doc["outputs"] != {"total": 13}:
            problems.append("outputs %r (b defaults to 10: (1+2)+10)" % doc["outputs"])
        if [n["node_id"] for n in doc["nodes"]] != ["n0", "n1"]:
            problems.append("nodes %r" % doc["nodes"])
        if [k["node_id"] for k in doc["cache_keys"]] != ["n0"] or doc["cache_keys"][0]["matches"] is not True:
            problems.append("only n0 (fed by inputs and constants) is predicted: %r" % doc["cache_keys"])
    r.check("run --launch-plan with a default", problems)
    doc, problems = r.json(["run", "--workflow", "cli.pipeline:1", "--input", "a=1", "--input", "b=1", "--wait"])
    if doc and doc["outputs"] != {"total": 4}:
        problems.append("outputs %r" % doc["outputs"])
    r.check("run --workflow through its default launch plan", problems)

    fixed = r.file("kind: launch_plan\nname: cli.pipeline.fixed\nworkflow: cli.pipeline\nfixed: {b: 100}\n")
    r.expect("register a launch plan with a fixed input", ["register", fixed], EXIT_OK,
             out_needles=["registered   launch plan flytesnacks/development/cli.pipeline.fixed:1"])
    r.expect("a fixed input cannot be set", ["run", "--launch-plan", "cli.pipeline.fixed", "--input", "a=1",
                                             "--input", "b=2"], EXIT_USAGE,
             err_needles=["input \"b\" is fixed by the launch plan (to 100)"])
    doc, problems = r.json(["get", "launch-plan", "cli.pipeline.fixed"])
    if doc and (doc["fixed"] != {"b": 100} or doc["interface"]["outputs"] != {"total": "integer"}):
        problems.append("%r %r" % (doc["fixed"], doc["interface"]))
    r.check("get launch-plan shows fixed inputs", problems)


def test_get_and_list(r):
    doc, problems = r.json(["get", "task", "cli.count_lines"])
    if doc:
        if doc["interface"] != {"inputs": {"data": "blob(format=csv)", "label": "string"},
                                "outputs": {"lines": "integer"}}:
            problems.append("interface %r" % doc["interface"])
        if doc["task"]["cache_version"] != "1" or doc["task"]["cache_ignore_input_vars"] != ["label"]:
            problems.append("task %r" % doc["task"])
        if doc["id"]["version"] != "1" or "entity" not in doc:
            problems.append("id %r" % doc["id"])
    r.check("get task -o json", problems)
    r.expect("get workflow (latest version) in text", ["get", "workflow", "cli.pipeline"], EXIT_OK,
             out_needles=["workflow flytesnacks/development/cli.pipeline:1", "n0", "task cli.add:1",
                          "a                integer", "total            integer"])
    r.expect("get launch-plan shows defaults", ["get", "launch-plan", "cli.pipeline.daily:1"], EXIT_OK,
             out_needles=["Workflow: cli.pipeline:1", "b                integer  default 10"])
    r.expect("get an unknown task", ["get", "task", "nope"], EXIT_USAGE,
             err_needles=["task nope", "Check the name"])

    run, problems = r.json(["run", "--task", "cli.add", "--input", "a=100", "--input", "b=1", "--wait",
                            "--name", "cli-named-run", "--label", "team=data", "--tag", "nightly"])
    if run and run["name"] != "cli-named-run":
        problems.append("name %r" % run["name"])
    r.check("run --name --label --tag", problems)
    r.expect("a bad execution name", ["run", "--task", "cli.add", "--input", "a=1", "--input", "b=2", "--name",
                                      "Bad_Name"], EXIT_USAGE, err_needles=["Bad_Name", "not valid"],
             stdout_empty=True)
    doc, problems = r.json(["get", "execution", "cli-named-run"])
    if doc:
        if doc["phase"] != "SUCCEEDED" or doc["outputs"] != {"sum": 101}:
            problems.append("%s %r" % (doc["phase"], doc["outputs"]))
        if not doc.get("created_at") or not doc.get("duration") or doc["launched"]["name"] != "cli.add":
            problems.append("timings / launched: %r" % {k: doc.get(k) for k in ("created_at", "duration",
                                                                                 "launched")})
        if node(doc).get("cache_status") != "CACHE_POPULATED" or not node(doc).get("catalog_key"):
            problems.append("node %r" % node(doc))
    r.check("get execution -o json: phase, timings, nodes with cache status and catalog key", problems)
    r.expect("get execution in text", ["get", "execution", "cli-named-run"], EXIT_OK,
             out_needles=["SUCCEEDED", "Nodes:", "cache CACHE_POPULATED", "catalog flytesnacks/development/"
                          "flyte_task-cli.add", "sum = 101", "Created:", "Duration:", "Launched:  task cli.add:2"])
    r.expect("get an unknown execution", ["get", "execution", "nope"], EXIT_USAGE, err_needles=["execution nope"])

    doc, problems = r.json(["list", "executions", "--filter", "eq(phase,SUCCEEDED)", "--limit", "2"])
    if doc and (len(doc["executions"]) != 2 or any(x["phase"] != "SUCCEEDED" for x in doc["executions"])):
        problems.append("%r" % doc["executions"])
    r.check("list executions --filter --limit", problems)
    r.expect("list executions in text", ["list", "executions", "--limit", "50"], EXIT_OK,
             out_needles=["NAME", "PHASE", "cli-named-run", "cli.add:1", "cli.add:2", "cli.pipeline.daily:1"])
    doc, problems = r.json(["list", "tasks", "cli.add"])
    if doc and sorted(t["version"] for t in doc["tasks"]) != ["1", "2"]:
        problems.append("%r" % doc["tasks"])
    r.check("list tasks NAME: its versions", problems)
    r.expect("list with a bad filter", ["list", "executions", "--filter", "frob(phase)"], EXIT_USAGE,
             err_needles=["listing executions"])

    doc, problems = r.json(["run", "--task", "cli.env", "--env", "GREETING=hello", "--wait"])
    if doc and doc["outputs"] != {"value": "hello"}:
        problems.append("outputs %r" % doc["outputs"])
    r.check("run --env reaches the task", problems)


def test_failure_and_control(r):
    rc, out, err = r.expect("a failing task exits 1", ["run", "--task", "cli.fail", "--input", "x=1", "--wait"],
                            EXIT_FAILED, out_needles=["FAILED", "something broke"],
                            err_needles=["FAILED", "something broke", "flyte-remote get execution"])
    failed, problems = r.json(["run", "--task", "cli.fail", "--input", "x=1", "--wait"], want_rc=EXIT_FAILED)
    if failed and (failed["phase"] != "FAILED" or "something broke" not in (failed["error"] or "")):
        problems.append("%s %r" % (failed["phase"], failed["error"]))
    r.check("a failing task -o json: one document, exit 1", problems)
    if failed:
        r.expect("wait on a failed execution exits 1", ["wait", failed["name"]], EXIT_FAILED,
                 out_needles=["FAILED"])
        doc, problems = r.json(["recover", failed["name"], "--wait"], want_rc=EXIT_FAILED)
        if doc and (doc["name"] == failed["name"] or doc["phase"] != "FAILED"):
            problems.append("%s %s" % (doc["name"], doc["phase"]))
        r.check("recover --wait makes a new execution (fails again: exit 1)", problems)

    slow, problems = r.json(["run", "--task", "cli.sleep", "--input", "seconds=60"])
    if slow and slow["phase"] not in ("QUEUED", "RUNNING", "UNDEFINED"):
        problems.append("phase %s" % slow["phase"])
    r.check("run without --wait returns at once", problems)
    if not slow:
        return
    name = slow["name"]
    r.expect("wait --timeout on a running execution exits 3", ["wait", name, "--timeout", "1s"], EXIT_REMOTE,
             err_needles=["still", "keeps running", "flyte-remote terminate %s" % name])
    doc, problems = r.json(["terminate", name, "--cause", "test over"])
    if doc and doc["status"] != "terminated":
        problems.append("%r" % doc)
    r.check("terminate", problems)
    doc, problems = r.json(["wait", name], want_rc=EXIT_FAILED)
    if doc and doc["phase"] != "ABORTED":
        problems.append("phase %s" % doc["phase"])
    r.check("a terminated execution ends ABORTED (exit 1)", problems)
    r.expect("terminate a finished execution", ["terminate", name], EXIT_USAGE,
             err_needles=["has already finished (ABORTED)"])

    doc, problems = r.json(["relaunch", "cli-named-run", "--wait"])
    if doc and (doc["name"] == "cli-named-run" or doc["outputs"] != {"sum": 101}
                or node(doc).get("cache_status") != "CACHE_HIT"):
        problems.append("%s %r %r" % (doc["name"], doc["outputs"], node(doc).get("cache_status")))
    r.check("relaunch --wait: a new execution, same inputs, cache hit", problems)
    doc, problems = r.json(["relaunch", "cli-named-run", "--overwrite-cache", "--wait"])
    if doc and node(doc).get("cache_status") == "CACHE_HIT":
        problems.append("cache status %r" % node(doc).get("cache_status"))
    r.check("relaunch --overwrite-cache", problems)
    r.expect("relaunch in text", ["relaunch", "cli-named-run"], EXIT_OK, out_needles=["Relaunched cli-named-run as"])


def test_config(r):
    env = {"FLYTE_PLATFORM_URL": r.url, "FLYTE_CREDENTIALS_AUTH_MODE": "ClientSecret",
           "FLYTE_CREDENTIALS_CLIENT_ID": "cli-test", "FLYTE_CREDENTIALS_CLIENT_SECRET": "s3cr3t-value"}
    rc, out, err = r.expect("config show masks the secret", ["config", "show"], EXIT_OK,
                            out_needles=["admin.endpoint: %s" % r.url, "env FLYTE_PLATFORM_URL", "****",
                                         "admin.clientId: cli-test"], env=env, remote=False)
    r.check("config show prints no secret", [] if "s3cr3t" not in out + err else ["the secret leaked: %r" % out])
    doc, problems = r.json(["config", "show"], env=env, remote=False)
    if doc:
        keys = {s["key"]: s for s in doc["settings"]}
        if keys.get("admin.endpoint", {}).get("value") != r.url or "s3cr3t" in json.dumps(doc):
            problems.append("%r" % doc)
    r.check("config show -o json", problems)
    cfg = r.file("admin:\n  endpoint: %s\n  insecure: true\ntask:\n  project: flytesnacks\n" % r.url, "config.yaml")
    r.expect("--config FILE is used", ["--config", cfg, "list", "tasks"], EXIT_OK, out_needles=["cli.add"],
             remote=False)
    r.expect("config show --config names the file", ["config", "show", "--config", cfg], EXIT_OK,
             out_needles=["configuration file: %s" % cfg, "admin.endpoint: %s" % r.url], remote=False)
    r.expect("FLYTE_PLATFORM_URL is used", ["list", "tasks"], EXIT_OK, out_needles=["cli.add"],
             env={"FLYTE_PLATFORM_URL": r.url}, remote=False)
    r.expect("a missing --config file", ["config", "show", "--config", os.path.join(r.tmpdir, "nope.yaml")],
             EXIT_USAGE, err_needles=["nope.yaml"], remote=False)


def test_bad_usage(r):
    cases = [
        ("run without a target", ["run"], ["missing --launch-plan, --task or --workflow"]),
        ("run with two targets", ["run", "--task", "a", "--workflow", "b"], ["give one of"]),
        ("run with an operand", ["run", "cli.add"], ["unexpected argument 'cli.add'"]),
        ("--timeout without --wait", ["run", "--task", "cli.add", "--timeout", "1m"], ["add --wait"]),
        ("a bad --timeout", ["run", "--task", "cli.add", "--wait", "--timeout", "soon"], ["--timeout"]),
        ("a bad output format", ["list", "executions", "-o", "xml"], ["-o xml", "text or json"]),
        ("get what", ["get"], ["missing what to get"]),
        ("get a bad kind", ["get", "frob", "x"], ["cannot get 'frob'"]),
        ("get execution without a name", ["get", "execution"], ["missing the execution NAME"]),
        ("list a bad kind", ["list", "frobs"], ["cannot list 'frobs'"]),
        ("list --limit 0", ["list", "executions", "--limit", "0"], ["--limit 0"]),
        ("wait without a name", ["wait"], ["missing the execution NAME"]),
        ("terminate --overwrite-cache", ["terminate", "x", "--overwrite-cache"], ["--help"]),
        ("recover --overwrite-cache", ["recover", "x", "--overwrite-cache"], ["--help"]),
        ("an unknown option", ["run", "--frob"], ["frob", "--help"]),
        ("config without action", ["config"], ["missing the action"]),
        ("cache-key --input without --task", ["cache-key", "--input", "a=1"], ["need --task"]),
        ("cache-key --task with --ignore", ["cache-key", "--task", "t", "--ignore", "a"], ["--ignore"]),
        ("a bad --label", ["run", "--task", "t", "--label", "nolabel"], ["--label nolabel: expected KEY=VALUE"]),
        ("a bad global option value", ["-o", "yaml", "list", "executions"], ["-o yaml"]),
    ]
    for name, args, needles in cases:
        r.expect("bad usage: %s" % name, args, EXIT_USAGE, err_needles=["flyte-remote"] + needles,
                 stdout_empty=True)
    r.expect("no endpoint configured", ["list", "executions"], EXIT_USAGE,
             err_needles=["no FlyteAdmin endpoint is configured", "--endpoint URL"], remote=False)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_unreachable(r):
    url = "http://127.0.0.1:%d" % free_port()
    for name, args in [("list", ["list", "executions"]), ("run", ["run", "--task", "cli.add"]),
                       ("register", ["register", r.file('{"kind":"task","name":"t","version":"1","image":"i",'
                                                        '"command":["x"]}', "t.json")]),
                       ("get", ["get", "execution", "x"])]:
        r.expect("unreachable endpoint: %s exits 3" % name, ["--endpoint", url] + args, EXIT_REMOTE,
                 err_needles=["Is FlyteAdmin (or flyte-devserver) running at %s" % url], remote=False,
                 stdout_empty=True)


def test_auth(r, devserver):
    """A server that wants a bearer token: none is an auth failure (exit 3, with what to
    check); the configuration's external command supplies it."""
    tmp = os.path.join(r.tmpdir, "auth")
    os.mkdir(tmp)
    server = DevServer(devserver, tmp, ["--auth-token", "t0ken-xyz"])
    try:
        r.expect("no credentials: exit 3", ["--endpoint", server.url, "list", "tasks"], EXIT_REMOTE,
                 err_needles=["HTTP 401", "Check your credentials", "admin.authType"], remote=False,
                 stdout_empty=True)
        env = {"FLYTE_CREDENTIALS_AUTH_MODE": "ExternalCommand", "FLYTE_CREDENTIALS_COMMAND": "echo,t0ken-xyz"}
        r.expect("credentials from an external command", ["--endpoint", server.url, "list", "tasks"], EXIT_OK,
                 out_needles=["(none)"], env=env, remote=False)
        env["FLYTE_CREDENTIALS_COMMAND"] = "echo,wrong"
        rc, out, err = r.expect("wrong credentials: exit 3", ["--endpoint", server.url, "list", "tasks"],
                                EXIT_REMOTE, err_needles=["Check your credentials"], env=env, remote=False)
        r.check("the token is not printed", [] if "t0ken" not in out + err else ["%r" % err])
    finally:
        server.stop()


def test_unsupported_auth_type(r, devserver):
    """flytectl's own sample configs use authType Pkce (a browser login): a server that wants
    no credentials serves every command whatever the file says, --endpoint wins over its
    endpoint, and a server that does want credentials gets an error naming the setting."""
    cfg = r.file("admin:\n  endpoint: dns:///flyte.example.invalid:443\n  insecure: false\n"
                 "  authType: Pkce\n  clientId: flytectl\n", "pkce.yaml")
    commands = [
        ("list tasks", ["list", "tasks"], ["cli.add"]),
        ("list workflows", ["list", "workflows"], []),
        ("list launch plans", ["list", "launch-plans"], []),
        ("list executions", ["list", "executions"], []),
        ("get task", ["get", "task", "cli.add"], ["cli.add"]),
        ("run --wait", ["run", "--task", "cli.add", "--input", "a=20", "--input", "b=22", "--wait"], ["42"]),
        ("cache-key --task", ["cache-key", "--task", "cli.add", "--input", "a=1", "--input", "b=2"],
         ["flyte_cached-"]),
    ]
    for name, args, needles in commands:
        r.expect("authType Pkce, --endpoint: %s works" % name, ["--config", cfg, "--endpoint", r.url] + args,
                 EXIT_OK, out_needles=needles, remote=False)
    r.expect("authType DeviceFlow from FLYTE_CREDENTIALS_AUTH_MODE: list works", ["list", "tasks"], EXIT_OK,
             out_needles=["cli.add"], env={"FLYTE_CREDENTIALS_AUTH_MODE": "DeviceFlow"})
    r.expect("config show says what authType Pkce means", ["--config", cfg, "config", "show"], EXIT_OK,
             out_needles=["admin.authType: Pkce  # %s:4" % cfg, "needs a browser", "ClientSecret"], remote=False)
    doc, problems = r.json(["--config", cfg, "config", "show"], remote=False)
    if doc and "admin.authType Pkce (%s:4) needs a browser" % cfg not in (doc.get("auth_problem") or ""):
        problems.append("auth_problem: %r" % doc.get("auth_problem"))
    r.check("config show -o json gives the auth problem", problems)
    tmp = os.path.join(r.tmpdir, "auth-pkce")
    os.mkdir(tmp)
    server = DevServer(devserver, tmp, ["--auth-token", "t0ken-pkce"])
    try:
        r.expect("authType Pkce against a server that wants credentials names the setting",
                 ["--config", cfg, "--endpoint", server.url, "list", "tasks"], EXIT_REMOTE,
                 err_needles=["HTTP 401", "admin.authType Pkce (%s:4) needs a browser" % cfg, "ClientSecret",
                              "admin.clientSecretLocation", "ExternalCommand", "admin.command",
                              "FLYTE_CREDENTIALS_COMMAND"], remote=False, stdout_empty=True)
        r.expect("authType DeviceFlow against a server that wants credentials names the variable",
                 ["--endpoint", server.url, "list", "tasks"], EXIT_REMOTE,
                 err_needles=["admin.authType DeviceFlow (env FLYTE_CREDENTIALS_AUTH_MODE)"],
                 env={"FLYTE_CREDENTIALS_AUTH_MODE": "DeviceFlow"}, remote=False, stdout_empty=True)
    finally:
        server.stop()
    r.expect("an unknown authType is an error in the file",
             ["--config", r.file("admin:\n  authType: Kerberos\n", "bad-auth.yaml"), "list", "tasks"],
             EXIT_USAGE, err_needles=["bad-auth.yaml:2: unknown authType Kerberos"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--devserver", required=True)
    ap.add_argument("--specs", required=True)
    opts = ap.parse_args()
    tmpdir = tempfile.mkdtemp(prefix="flyte-remote-cli-test")
    server = DevServer(opts.devserver, tmpdir)
    try:
        r = Runner(opts.binary, tmpdir, server.url)
        test_help(r)
        test_bad_usage(r)
        test_unreachable(r)
        test_register(r, opts.specs)
        test_register_errors(r)
        test_run_and_cache(r)
        test_files_and_hashes(r)
        test_typed_inputs(r)
        test_progress_on_a_terminal(r)
        test_launch_plans(r)
        test_get_and_list(r)
        test_failure_and_control(r)
        test_config(r)
        test_auth(r, opts.devserver)
        test_unsupported_auth_type(r, opts.devserver)
    finally:
        server.stop()
    if r.failed:
        print("(kept %s for inspection)" % tmpdir)
    else:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
