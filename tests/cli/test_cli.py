#!/usr/bin/env python3
"""End-to-end tests of the flyte-remote command-line tool.

Every line of the cache-key conformance vectors must print exactly its `expect`; bad
usage and bad input must exit 2 with a message on stderr that names the problem.

Usage: test_cli.py --binary PATH --vectors cache_key_vectors.jsonl --version X.Y.Z
Set FLYTE_CLI_WRAPPER to run the binary under a tool, e.g.
FLYTE_CLI_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full".
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

EXIT_OK = 0
EXIT_USAGE = 2


class Runner:
    def __init__(self, binary, tmpdir):
        self.cmd = shlex.split(os.environ.get("FLYTE_CLI_WRAPPER", "")) + [binary]
        self.tmpdir = tmpdir
        self.passed = 0
        self.failed = 0
        self.n_files = 0

    def run(self, args, stdin=b"", stdout=subprocess.PIPE):
        p = subprocess.run(self.cmd + args, input=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=300)
        out = p.stdout.decode("utf-8", "replace") if p.stdout is not None else ""
        return p.returncode, out, p.stderr.decode("utf-8", "replace")

    def file(self, content):
        """A temporary file holding content (bytes or str); returns its path."""
        self.n_files += 1
        path = os.path.join(self.tmpdir, "in%d.json" % self.n_files)
        with open(path, "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print("FAIL %s" % name)
            for p in problems:
                print("    " + p)
        else:
            self.passed += 1

    def expect_ok(self, name, args, stdout, stdin=b""):
        rc, out, err = self.run(args, stdin)
        problems = []
        if rc != EXIT_OK:
            problems.append("exit status %d, want 0; stderr: %r" % (rc, err))
        if out != stdout:
            problems.append("stdout %r, want %r" % (out, stdout))
        if err:
            problems.append("unexpected stderr: %r" % err)
        self.check(name, problems)

    def expect_error(self, name, args, needles, stdin=b""):
        """Exit 2, nothing on stdout, and stderr names the command and every needle."""
        rc, out, err = self.run(args, stdin)
        problems = []
        if rc != EXIT_USAGE:
            problems.append("exit status %d, want %d" % (rc, EXIT_USAGE))
        if out:
            problems.append("unexpected stdout: %r" % out)
        if not err.startswith("flyte-remote"):
            problems.append("stderr does not start with the program name: %r" % err)
        for n in needles:
            if n not in err:
                problems.append("stderr lacks %r: %r" % (n, err))
        self.check(name, problems)

    def expect_help(self, name, args, needles):
        rc, out, err = self.run(args)
        problems = []
        if rc != EXIT_OK:
            problems.append("exit status %d, want 0" % rc)
        if err:
            problems.append("unexpected stderr: %r" % err)
        for n in needles:
            if n not in out:
                problems.append("stdout lacks %r: %r" % (n, out))
        self.check(name, problems)


def raw_members(line):
    """The top-level members of a JSON object line as {key: raw JSON text}, so that each
    value reaches the CLI byte for byte as the vector file has it."""
    dec = json.JSONDecoder()
    members = {}
    i = line.index("{") + 1
    while True:
        while line[i] in " \t\r\n,":
            i += 1
        if line[i] == "}":
            return members
        key, i = dec.raw_decode(line, i)
        while line[i] in " \t\r\n:":
            i += 1
        _, end = dec.raw_decode(line, i)
        members[key] = line[i:end]
        i = end


def vector_args(r, vec, raw, via_stdin):
    """The command line and stdin for one vector."""
    src = "-" if via_stdin else None
    text = raw.get("value", "{}")  # upstream_nil_map: a nil map hashes as the empty one
    data = text.encode("utf-8") if via_stdin else b""
    if src is None:
        src = r.file(text)
    if vec["kind"] == "literals":
        args = ["cache-key", "--literals", src]
        names = vec.get("ignore", [])
        if any("," in n for n in names):
            raise ValueError("ignore name with a comma cannot be passed to --ignore")
        if names:
            args += ["--ignore", ",".join(names)]
        return args, data
    if vec["kind"] == "interface":
        return ["dataset-version", "--interface", src, "--cache-version", vec["cache_version"]], data
    raise ValueError("unknown kind %r" % vec["kind"])


def test_vectors(r, path):
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f if l.strip()]
    for i, line in enumerate(lines):
        vec = json.loads(line)
        # Alternate between a file and standard input so that both paths see every kind.
        via_stdin = i % 2 == 1
        args, data = vector_args(r, vec, raw_members(line), via_stdin)
        r.expect_ok("vector %s (%s)" % (vec["name"], "stdin" if via_stdin else "file"), args, vec["expect"] + "\n", data)
    return lines


def test_ignore_forms(r, lines):
    """--ignore repeated is the same as one comma-separated list."""
    for line in lines:
        vec = json.loads(line)
        if len(vec.get("ignore", [])) >= 2 and all(vec["ignore"]):
            path = r.file(raw_members(line)["value"])
            args = ["cache-key", "--literals", path]
            for n in vec["ignore"]:
                args += ["--ignore", n]
            r.expect_ok("repeated --ignore (%s)" % vec["name"], args, vec["expect"] + "\n")
            return
    r.check("repeated --ignore", ["no vector with two non-empty ignore names"])


def test_ignore_effect(r):
    """Ignoring a name drops it; ignoring an absent name changes nothing."""
    both = r.file('{"literals":{"a":{"scalar":{"primitive":{"integer":"1"}}},'
                  '"b":{"scalar":{"primitive":{"integer":"2"}}}}}')
    only_a = r.file('{"literals":{"a":{"scalar":{"primitive":{"integer":"1"}}}}}')
    _, tag_a, _ = r.run(["cache-key", "--literals", only_a])
    _, tag_both, _ = r.run(["cache-key", "--literals", both])
    r.check("tags of different inputs differ", [] if tag_a != tag_both and tag_a else ["%r vs %r" % (tag_a, tag_both)])
    r.expect_ok("--ignore b", ["cache-key", "--literals", both, "--ignore", "b"], tag_a)
    r.expect_ok("--ignore absent name", ["cache-key", "--literals", only_a, "--ignore", "zzz,b"], tag_a)
    r.expect_ok("--option=value form", ["cache-key", "--literals=" + both, "--ignore=b"], tag_a)


def test_bad_usage(r):
    lits = r.file('{"literals":{}}')
    iface = r.file("{}")
    r.expect_error("no command", [], ["Usage"])
    r.expect_error("unknown command", ["frobnicate"], ["unknown command", "frobnicate"])
    r.expect_error("unknown global option", ["--frobnicate"], ["frobnicate"])
    r.expect_error("cache-key without --literals", ["cache-key"], ["missing --literals"])
    r.expect_error("cache-key --ignore without --literals", ["cache-key", "--ignore", "a"], ["missing --literals"])
    r.expect_error("dataset-version without --interface", ["dataset-version", "--cache-version", "v1"],
                   ["missing --interface"])
    r.expect_error("dataset-version without --cache-version", ["dataset-version", "--interface", iface],
                   ["missing --cache-version"])
    r.expect_error("unknown option", ["cache-key", "--literals", lits, "--bogus"], ["--bogus", "--help"])
    r.expect_error("option of another command", ["cache-key", "--interface", iface], ["--interface"])
    r.expect_error("option without its argument", ["cache-key", "--literals"], ["--literals", "requires an argument"])
    r.expect_error("unexpected operand", ["cache-key", "--literals", lits, "extra"], ["unexpected argument", "extra"])
    r.expect_error("unknown command after help", ["help", "frobnicate"], ["unknown command", "frobnicate"])


def test_bad_input(r):
    missing = os.path.join(r.tmpdir, "does-not-exist.json")
    r.expect_error("missing file", ["cache-key", "--literals", missing], [missing, "No such file"])
    r.expect_error("directory", ["cache-key", "--literals", r.tmpdir], [r.tmpdir, "directory"])
    r.expect_error("missing interface file", ["dataset-version", "--interface", missing, "--cache-version", "v"],
                   [missing, "No such file"])

    bad = r.file('{"literals":{"a":{"scalar":')
    r.expect_error("malformed JSON", ["cache-key", "--literals", bad], [bad, "malformed JSON"])
    r.expect_error("empty stdin", ["cache-key", "--literals", "-"], ["standard input", "malformed JSON"])
    r.expect_error("not an object", ["cache-key", "--literals", r.file("[1,2]")], ["expected", "array"])
    wrong = r.file('{"literals":{"a":{"scalar":{"primitive":{"integer":true}}}}}')
    r.expect_error("wrong JSON type", ["cache-key", "--literals", wrong],
                   [wrong, "literals.a.scalar.primitive.integer", "boolean"])
    r.expect_error("wrong JSON type on stdin", ["cache-key", "--literals", "-"],
                   ["standard input", "literals.a.scalar.primitive.integer"],
                   stdin=b'{"literals":{"a":{"scalar":{"primitive":{"integer":true}}}}}')
    unknown = r.file('{"literals":{"a":{"scalar":{"primitive":{"integer":"1"}},"bogus":1}}}')
    r.expect_error("unknown field", ["cache-key", "--literals", unknown], ["unknown field", "bogus", "literals.a"])
    two = r.file('{"literals":{"a":{"scalar":{"primitive":{"integer":"1","stringValue":"x"}}}}}')
    r.expect_error("two members of a oneof", ["cache-key", "--literals", two], ["literals.a.scalar.primitive"])
    r.expect_error("invalid UTF-8", ["cache-key", "--literals", r.file(b'{"literals":{"a":{"scalar":'
                                                                   b'{"primitive":{"stringValue":"\xff"}}}}}')],
                   ["invalid LiteralMap"])
    r.expect_error("int64 out of range", ["cache-key", "--literals",
                                          r.file('{"literals":{"a":{"scalar":{"primitive":'
                                                 '{"integer":"9223372036854775808"}}}}}')],
                   ["literals.a.scalar.primitive.integer"])

    enum = r.file('{"inputs":{"variables":{"x":{"type":{"simple":"NOPE"}}}}}')
    r.expect_error("bad enum in interface", ["dataset-version", "--interface", enum, "--cache-version", "v1"],
                   [enum, "inputs.variables.x.type.simple", "NOPE"])
    ufield = r.file('{"inputs":{"variables":{"x":{"type":{"simple":"INTEGER"},"colour":"red"}}}}')
    r.expect_error("unknown field in interface", ["dataset-version", "--interface", ufield, "--cache-version", "v1"],
                   ["unknown field", "colour", "inputs.variables.x"])
    iface = r.file('{"inputs":{"variables":{"x":{"type":{"simple":"INTEGER"}}}}}')
    for blank in ["", "   "]:
        r.expect_error("blank cache version %r" % blank,
                       ["dataset-version", "--interface", iface, "--cache-version", blank], ["--cache-version", "empty"])


def test_help_and_version(r, version):
    r.expect_help("--help", ["--help"], ["Usage", "cache-key", "dataset-version"])
    r.expect_help("-h", ["-h"], ["cache-key", "dataset-version"])
    r.expect_help("help", ["help"], ["cache-key", "dataset-version"])
    r.expect_help("cache-key --help", ["cache-key", "--help"], ["Usage: flyte-remote cache-key", "--literals", "--ignore"])
    r.expect_help("cache-key -h after options", ["cache-key", "--literals", "x", "-h"], ["--literals"])
    r.expect_help("help cache-key", ["help", "cache-key"], ["Usage: flyte-remote cache-key"])
    r.expect_help("dataset-version --help", ["dataset-version", "--help"],
                  ["Usage: flyte-remote dataset-version", "--interface", "--cache-version"])
    r.expect_help("--version", ["--version"], ["flyte-remote %s" % version])


def test_json_output(r):
    """-o json: one JSON document holding the same tag."""
    lits = r.file('{"literals":{"a":{"scalar":{"primitive":{"integer":"1"}}}}}')
    _, tag, _ = r.run(["cache-key", "--literals", lits])
    rc, out, err = r.run(["cache-key", "--literals", lits, "-o", "json"])
    problems = [] if rc == EXIT_OK and not err else ["exit status %d, stderr %r" % (rc, err)]
    try:
        if json.loads(out) != {"artifact_tag": tag.strip()}:
            problems.append("document %r, tag %r" % (out, tag))
    except ValueError:
        problems.append("not JSON: %r" % out)
    r.check("cache-key -o json", problems)
    r.expect_error("-o with a bad format", ["cache-key", "--literals", lits, "-o", "xml"], ["-o xml"])
    r.expect_error("--input without --task", ["cache-key", "--input", "a=1"], ["need --task"])


def test_output_errors(r):
    """A result that cannot be written is a failure, not a silent success."""
    if not os.path.exists("/dev/full"):
        return
    lits = r.file("{}")
    with open("/dev/full", "wb") as full:
        rc, _, err = r.run(["cache-key", "--literals", lits], stdout=full)
    r.check("stdout on a full disk", [] if rc == EXIT_USAGE and "standard output" in err
            else ["exit status %d, stderr %r" % (rc, err)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--version", required=True, help="the version --version must print")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="flyte-cli-test") as tmpdir:
        r = Runner(opts.binary, tmpdir)
        lines = test_vectors(r, opts.vectors)
        test_ignore_forms(r, lines)
        test_ignore_effect(r)
        test_bad_usage(r)
        test_bad_input(r)
        test_help_and_version(r, opts.version)
        test_json_output(r)
        test_output_errors(r)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
