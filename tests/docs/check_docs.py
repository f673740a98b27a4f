#!/usr/bin/env python3
"""Compiles and links every ```c block of the documentation against libflyteremote.

Each C block in docs/*.md and README.md must be a complete program (with main()), built
as a user would build it: the public headers only, -Wall -Wextra -Werror -pedantic, linked
against the built library. A block preceded by the line

    <!-- docs-check: run -->

(blank lines allowed in between) is also run, with the URL of a fresh flyte-devserver as
its only argument, and must exit 0; that needs --devserver. Without it, such blocks are
only compiled and linked. Words after "run" are extra dev server options, e.g.
<!-- docs-check: run --auth-token s3cret -->.

    check_docs.py --cc CC --include DIR --library LIB [--devserver BIN]
                  [--cflags FLAGS] [--root DIR] [FILE.md ...]

Files default to README.md and docs/*.md under --root (the repository). Exit status 0
when every block passed, 1 otherwise; each failure names FILE:LINE of its block.
FLYTE_DOCS_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full" runs the programs
under a tool.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

RUN_MARKER = re.compile(r"^<!--\s*docs-check:\s*run\b(.*?)-->$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)")
MAIN = re.compile(r"\bint\s+main\s*\(")
RUN_TIMEOUT = 180
SERVER_START_TIMEOUT = 30
WRAPPER = shlex.split(os.environ.get("FLYTE_DOCS_WRAPPER", ""))


class Block:
    def __init__(self, path, line, code, run, server_args):
        self.path = path
        self.line = line  # of the opening fence, 1-based
        self.code = code
        self.run = run
        self.server_args = server_args

    @property
    def where(self):
        return f"{self.path}:{self.line}"


def c_blocks(path, display):
    """The ```c blocks of a Markdown file, each with whether a run marker precedes it."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = []
    i = 0
    last_text = ""  # the last non-blank line outside a block
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            if lines[i].strip():
                last_text = lines[i].strip()
            i += 1
            continue
        indent, fence, lang = m.groups()
        start = i
        body = []
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence[0] * len(fence)) and
                                      lines[i].strip().strip(fence[0]) == ""):
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1  # the closing fence
        if lang.lower() == "c":
            marker = RUN_MARKER.match(last_text)
            blocks.append(Block(display, start + 1, "\n".join(body) + "\n", bool(marker),
                                shlex.split(marker.group(1)) if marker else []))
        last_text = ""
    return blocks


def compile_block(block, args, workdir, index):
    """Compiles and links one block; returns (executable or None, message)."""
    if not MAIN.search(block.code):
        return None, "not a complete program: no int main(...) (every C block must compile and link alone)"
    src = os.path.join(workdir, f"block{index}.c")
    exe = os.path.join(workdir, f"block{index}")
    with open(src, "w", encoding="utf-8") as f:
        f.write(f'#line {block.line + 1} "{block.path}"\n')  # messages point into the Markdown
        f.write(block.code)
    libdir = os.path.dirname(os.path.abspath(args.library))
    # -Wno-missing-field-initializers: GCC's -Wextra warns on FLYTE_*_OPTIONS_INIT
    # ({VERSION} with the other fields left out) in user code; drop it once those macros
    # stop triggering the warning.
    cmd = ([args.cc, "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror", "-pedantic",
            "-Wno-missing-field-initializers", "-pthread"] + shlex.split(args.cflags) +
           ["-I", args.include, src, args.library, f"-Wl,-rpath,{libdir}", "-o", exe])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, f"does not compile and link:\n{p.stdout}{p.stderr}"
    return exe, ""


class DevServer:
    def __init__(self, binary, extra_args):
        self.dir = tempfile.mkdtemp(prefix="flyte-docs-")
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--db", os.path.join(self.dir, "db.sqlite"),
             "--data-dir", os.path.join(self.dir, "data")] + extra_args,
            stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        ready, _, _ = select.select([self.proc.stdout], [], [], SERVER_START_TIMEOUT)
        self.url = self.proc.stdout.readline().decode().strip() if ready else ""
        if not self.url.startswith("http://"):
            log = self.server_log()
            self.stop()
            raise RuntimeError("flyte-devserver did not start: " + log)

    def server_log(self):
        with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_block(block, exe, args):
    """Runs one compiled block against a fresh dev server; returns a failure message or ""."""
    try:
        server = DevServer(args.devserver, block.server_args)
    except RuntimeError as e:
        return str(e)
    try:
        start = time.monotonic()
        p = subprocess.run(WRAPPER + [exe, server.url], capture_output=True, text=True, timeout=RUN_TIMEOUT,
                           stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            return (f"exited with status {p.returncode} against {server.url} after "
                    f"{time.monotonic() - start:.1f} s:\n--- stdout\n{p.stdout}--- stderr\n{p.stderr}"
                    f"--- server log\n{server.server_log()}")
        return ""
    except subprocess.TimeoutExpired:
        return f"did not finish within {RUN_TIMEOUT} s"
    finally:
        server.stop()


def check(block, args, workdir, index):
    exe, message = compile_block(block, args, workdir, index)
    if not exe:
        return message
    if block.run and args.devserver:
        return run_block(block, exe, args)
    return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cc", required=True, help="the C compiler")
    ap.add_argument("--include", required=True, help="the public include directory")
    ap.add_argument("--library", required=True, help="the built libflyteremote (shared or static)")
    ap.add_argument("--devserver", help="flyte-devserver, to run the blocks marked to run")
    ap.add_argument("--cflags", default="", help="extra compiler and linker flags (e.g. sanitizers)")
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()

    files = args.files or ([os.path.join(args.root, "README.md")] +
                           sorted(glob.glob(os.path.join(args.root, "docs", "*.md"))))
    blocks = []
    for path in files:
        blocks += c_blocks(path, os.path.relpath(path, args.root))
    if not blocks:
        print("check_docs: no C blocks found in " + ", ".join(files), file=sys.stderr)
        return 1

    failures = 0
    with tempfile.TemporaryDirectory(prefix="flyte-docs-build-") as workdir, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = [pool.submit(check, b, args, workdir, i) for i, b in enumerate(blocks)]
        for block, result in zip(blocks, results):
            message = result.result()
            what = "compiled, linked and ran" if block.run and args.devserver else "compiled and linked"
            if message:
                failures += 1
                print(f"FAIL {block.where}: {message}")
            else:
                print(f"ok   {block.where}: {what}")
    print(f"{len(blocks) - failures} of {len(blocks)} C blocks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
