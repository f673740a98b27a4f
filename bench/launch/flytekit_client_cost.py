#!/usr/bin/env python3
"""flytekit's client-side cost of launching one execution with 20 inputs, no network.

The same 20 inputs as bench_launch.c (part c), and the same work as flytekit's
FlyteRemote._execute (flytekit/remote/remote.py) before its CreateExecution RPC: for
every input TypeEngine.to_literal with the input's Python type (three of them
Annotated[T, HashMethod(fn)], so the hash is computed there) against the interface's
LiteralType, the LiteralMap, the ExecutionSpec and the ExecutionCreateRequest, then the
request serialised: SerializeToString() (what gRPC sends) and MessageToJson().

Variants, each timed separately:
  cold    the TypeEngine literal cache cleared before every iteration: a service launching
          with new input values each time (the headline figure);
  warm    the same values every time, served by flytekit's literal cache (an LRU keyed by
          cloudpickle of the value and type);
  msgpack flytekit's default for an untyped dict: a msgpack Binary rather than a generic
          struct. Since flytekit 1.14 a dict becomes msgpack unless FLYTE_USE_OLD_DC_FORMAT
          is set; cold and warm set it, so that both SDKs build the same literals.

  flytekit_client_cost.py [--iterations N] [--tsv FILE] [--compare C_INPUTS.json]

--compare reads the LiteralMap JSON written by bench_launch --dump-inputs and reports,
input by input, whether flytekit built the same literal (hashes included).
Install: python3 -m venv /tmp/flyteremote-bench-venv && /tmp/flyteremote-bench-venv/bin/pip install flytekit
"""

import argparse
import datetime
import functools
import gc
import hashlib
import json
import os
import platform
import sys
import time
import typing
from typing import Annotated, Dict, List

os.environ.setdefault("FLYTE_SDK_LOGGING_LEVEL", "40")  # keep flytekit's start-up chatter out

import flytekit  # noqa: E402
from flyteidl.admin import execution_pb2  # noqa: E402
from flyteidl.core import literals_pb2  # noqa: E402
from flytekit import HashMethod  # noqa: E402
from flytekit.configuration import Config  # noqa: E402
from flytekit.core.type_engine import TypeEngine  # noqa: E402
from flytekit.models import interface as interface_models  # noqa: E402
from flytekit.models import literals as literal_models  # noqa: E402
from flytekit.models.core.identifier import Identifier, ResourceType  # noqa: E402
from flytekit.models.execution import ExecutionMetadata, ExecutionSpec, NotificationList  # noqa: E402
from flytekit.remote import FlyteRemote  # noqa: E402
from flytekit.types.directory import FlyteDirectory  # noqa: E402
from flytekit.types.file import FlyteFile  # noqa: E402
from google.protobuf import __version__ as protobuf_version  # noqa: E402
from google.protobuf import json_format  # noqa: E402

OLD_DC_FORMAT = "FLYTE_USE_OLD_DC_FORMAT"
PROJECT, DOMAIN = "flytesnacks", "development"


def requester_hash(_value: str) -> str:
    """Who asked does not change the result: every requester shares one cache entry."""
    return "any-requester"


def lines_sha256(values: List[str]) -> str:
    return hashlib.sha256("\n".join(values).encode()).hexdigest()


def canonical_json_sha256(value: dict) -> str:
    """flyte_hasher_canonical_json: keys sorted, no whitespace."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


CsvFile = FlyteFile[typing.TypeVar("csv")]

TYPES = {
    "n_epochs": int,
    "batch_size": int,
    "seed": int,
    "max_rows": int,
    "learning_rate": float,
    "dropout": float,
    "momentum": float,
    "model_name": str,
    "experiment": str,
    "region": str,
    "requested_by": Annotated[str, HashMethod(requester_hash)],
    "use_gpu": bool,
    "dry_run": bool,
    "run_date": datetime.datetime,
    "timeout": datetime.timedelta,
    "sample_ids": Annotated[List[str], HashMethod(lines_sha256)],
    "class_weights": Dict[str, float],
    "config": Annotated[dict, HashMethod(canonical_json_sha256)],
    "train_csv": CsvFile,
    "model_dir": FlyteDirectory,
}


def make_values() -> dict:
    """The Python values, as a caller holds them (built once; the C side starts from C values)."""
    return {
        "n_epochs": 40,
        "batch_size": 256,
        "seed": 8731925519203445,
        "max_rows": 5000000,
        "learning_rate": 0.0003,
        "dropout": 0.1,
        "momentum": 0.9,
        "model_name": "resnet50-finetune",
        "experiment": "Q3 churn model \u2014 r\u00e9gion EMEA",
        "region": "emea",
        "requested_by": "alice@example.com",
        "use_gpu": True,
        "dry_run": False,
        "run_date": datetime.datetime(2026, 8, 1, 6, 30, 0, 250000, tzinfo=datetime.timezone.utc),
        "timeout": datetime.timedelta(seconds=5400),
        "sample_ids": ["cust-%05d" % (10007 * i % 100000) for i in range(100)],
        "class_weights": {"churned": 3.5, "retained": 1.0},
        "config": {
            "optimizer": {"name": "adamw", "betas": [0.9, 0.999], "weight_decay": 0.01},
            "scheduler": {"name": "cosine", "warmup_steps": 500, "min_lr_ratio": 0.05},
            "augment": True,
            "notes": None,
            "layers_frozen": ["conv1", "layer1"],
        },
        "train_csv": CsvFile("s3://acme-ml-data/churn/2026-08-01/train.csv"),
        "model_dir": FlyteDirectory("s3://acme-ml-models/churn/resnet50/v17"),
    }


class Launch:
    """What FlyteRemote._execute has at hand: the remote, the fetched entity's input variables."""

    def __init__(self):
        # No request is sent: the client is created lazily and never called.
        self.remote = FlyteRemote(
            Config.for_endpoint("127.0.0.1:1", insecure=True), default_project=PROJECT, default_domain=DOMAIN
        )
        self.entity_id = Identifier(ResourceType.LAUNCH_PLAN, PROJECT, DOMAIN, "bench.launch.inputs20", "v1")
        # The interface as fetched from the server: LiteralTypes, no Python types.
        self.variables = {
            name: interface_models.Variable(TypeEngine.to_literal_type(t), "") for name, t in TYPES.items()
        }

    def to_literals(self, inputs: dict, type_hints: dict) -> dict:
        """_execute's loop over the inputs."""
        remote = self.remote
        literal_map = {}
        with remote.remote_context() as ctx:
            for k, v in inputs.items():
                variable = self.variables.get(k)
                if variable is None:
                    raise ValueError(f"{k}: the launch plan doesn't have this input key")
                remote.file_access._get_upload_signed_url_fn = functools.partial(
                    remote.client.get_upload_signed_url, project=PROJECT, domain=DOMAIN
                )
                literal_map[k] = TypeEngine.to_literal(ctx, v, type_hints[k], variable.type)
        return literal_map

    def request(self, literal_inputs: literal_models.LiteralMap) -> execution_pb2.ExecutionCreateRequest:
        """_execute's ExecutionSpec and SynchronousFlyteClient.create_execution's request."""
        spec = ExecutionSpec(
            self.entity_id,
            ExecutionMetadata(ExecutionMetadata.ExecutionMode.MANUAL, "placeholder", 0),
            notifications=NotificationList([]),
        )
        return execution_pb2.ExecutionCreateRequest(
            project=PROJECT, domain=DOMAIN, name=None, spec=spec.to_flyte_idl(), inputs=literal_inputs.to_flyte_idl()
        )


PHASES = [
    ("to_literal", "TypeEngine.to_literal x20 (3 HashMethod)"),
    ("map", "LiteralMap"),
    ("request", "ExecutionSpec + ExecutionCreateRequest"),
    ("serialize", "SerializeToString (gRPC body)"),
    ("json", "MessageToJson"),
    ("total", "total (protobuf wire, as FlyteRemote)"),
    ("total_json", "total + MessageToJson (JSON wire)"),
    ("cpu", "CPU time, protobuf wire"),  # process CPU time (all threads): preemption does not inflate it
    ("cpu_json", "CPU time, + MessageToJson"),
]


def one_execution(launch: Launch, values: dict, cold: bool) -> typing.Tuple[list, int, int]:
    if cold:
        TypeEngine._LITERAL_CACHE.clear()
    c0 = time.process_time_ns()
    t0 = time.perf_counter_ns()
    lits = launch.to_literals(values, TYPES)
    t1 = time.perf_counter_ns()
    literal_inputs = literal_models.LiteralMap(literals=lits)
    t2 = time.perf_counter_ns()
    req = launch.request(literal_inputs)
    t3 = time.perf_counter_ns()
    wire = req.SerializeToString()
    t4, c4 = time.perf_counter_ns(), time.process_time_ns()
    text = json_format.MessageToJson(req)
    t5, c5 = time.perf_counter_ns(), time.process_time_ns()
    times = [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t4 - t0, t5 - t0, c4 - c0, c5 - c0]
    return times, len(wire), len(text)


def measure(launch: Launch, iterations: int, cold: bool, generic_struct: bool) -> typing.Tuple[list, int, int]:
    if generic_struct:
        os.environ[OLD_DC_FORMAT] = "true"
    else:
        os.environ.pop(OLD_DC_FORMAT, None)
    values = make_values()
    for _ in range(max(10, iterations // 100)):  # warm-up: imports, transformer lookups
        one_execution(launch, values, cold)
    gc.collect()
    rows = []
    for _ in range(iterations):
        times, wire_len, json_len = one_execution(launch, values, cold)
        rows.append(times)
    return [sorted(col) for col in zip(*rows)], wire_len, json_len


def fmt_ns(ns: float) -> str:
    if ns < 1e4:
        return "%.0f ns" % ns
    if ns < 1e6:
        return "%.1f us" % (ns / 1e3)
    return "%.2f ms" % (ns / 1e6)


def load() -> str:
    try:
        with open("/proc/loadavg") as f:
            return f.read().strip()
    except OSError:
        return "?"


def compare(path: str, launch: Launch) -> bool:
    """Input by input: is flytekit's literal the one bench_launch built?"""
    with open(path, encoding="utf-8") as f:
        theirs = json_format.Parse(f.read(), literals_pb2.LiteralMap())
    os.environ[OLD_DC_FORMAT] = "true"
    TypeEngine._LITERAL_CACHE.clear()
    ours = literal_models.LiteralMap(literals=launch.to_literals(make_values(), TYPES)).to_flyte_idl()
    names = sorted(set(theirs.literals) | set(ours.literals))
    differ = [n for n in names if theirs.literals.get(n) != ours.literals.get(n)]
    verdict = "all 20" if not differ else "NOT for " + ", ".join(differ)
    print("   same literals as flyteremote's (hashes included): %s" % verdict)
    for n in differ:
        for who, m in (("flyteremote", theirs), ("flytekit", ours)):
            lit = m.literals.get(n)
            text = json_format.MessageToJson(lit, indent=None) if lit is not None else "(missing)"
            print("     %-11s %s: %s" % (who, n, text[:300]))
    return not differ


def main(argv: typing.List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iterations", type=int, default=1000, help="per variant (default 1000)")
    ap.add_argument("--tsv", help="write every figure as name<TAB>value")
    ap.add_argument("--compare", help="LiteralMap JSON from bench_launch --dump-inputs")
    args = ap.parse_args(argv)

    launch = Launch()
    print("flytekit %s (protobuf %s, Python %s): the client-side cost of one execution's 20 inputs"
          % (flytekit.__version__, protobuf_version, platform.python_version()))
    print("   load average at start: %s" % load())
    ok = compare(args.compare, launch) if args.compare else True
    figures = {}
    variants = [
        ("cold", "literal cache cleared each time (new values per execution)", True, True, args.iterations),
        ("warm", "same values each time, served by flytekit's literal cache", False, True, args.iterations),
        ("msgpack", "cold, dict as flytekit's default msgpack Binary", True, False, max(1, args.iterations // 2)),
    ]
    for key, title, cold, generic, n in variants:
        columns, wire_len, json_len = measure(launch, n, cold, generic)
        print("%s: %s, %d iterations" % (key, title, n))
        print("   %-44s %10s %10s" % ("", "best", "median"))
        for (pkey, label), col in zip(PHASES, columns):
            best, median = col[0], col[len(col) // 2]
            print("   %-44s %10s %10s" % (label, fmt_ns(best), fmt_ns(median)))
            figures["fk.%s.%s.best_ns" % (key, pkey)] = best
            figures["fk.%s.%s.median_ns" % (key, pkey)] = median
        print("   (the request is %d bytes as protobuf, %d as JSON)" % (wire_len, json_len))
        figures["fk.%s.iterations" % key] = n
        figures["fk.%s.protobuf_bytes" % key] = wire_len
        figures["fk.%s.json_bytes" % key] = json_len
    print("   load average at end: %s" % load())
    if args.tsv:
        with open(args.tsv, "w") as f:
            f.write("fk.version\t%s\n" % flytekit.__version__)
            f.write("fk.same_literals\t%d\n" % ok)
            for k, v in figures.items():
                f.write("%s\t%.0f\n" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
