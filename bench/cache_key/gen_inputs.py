#!/usr/bin/env python3
"""Write the cache-key benchmark inputs (flyteidl.core.LiteralMap, proto3 JSON).

Usage: gen_inputs.py OUTDIR

Writes ints_1m.json, strings_100k.json, nested_maps.json and realistic_20.json.
Output is deterministic (fixed seed, stdlib only): the same bytes on every run.
JSON uses the proto json_names (lowerCamelCase) and int64 values as strings.
"""

import datetime
import json
import os
import random
import sys

SEED = 20260823

NESTED_FANOUT = [3, 3, 2, 3, 3, 2, 3, 3, 2, 3, 3, 3]  # 12 map levels, 157,464 leaves

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

ASCII_CHARS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "          _-./:,;!?()[]{}<>&'\"\\@#$%^*+=~|"
)
UNICODE_CHARS = (
    "éèêëàâäôöûüçñßøåæ"  # Latin-1 / Latin Extended
    "αβγδεζηθλμπσφψω"  # Greek
    "жзийклмнопрстуф"  # Cyrillic
    "日本語中文字漢字東京"  # CJK
    "한국어"  # Hangul
    "€£¥©®°±µ¶·"  # symbols (2-byte)
    "\u2028\u00a0\u200b"  # line separator, nbsp, zero-width space
    "😀🚀🐍✅🔥"  # astral plane (4-byte UTF-8) and BMP emoji
)


def lit_int(v):
    return {"scalar": {"primitive": {"integer": str(v)}}}


def lit_float(v):
    return {"scalar": {"primitive": {"floatValue": v}}}


def lit_str(v):
    return {"scalar": {"primitive": {"stringValue": v}}}


def lit_bool(v):
    return {"scalar": {"primitive": {"boolean": v}}}


def lit_datetime(v):
    return {"scalar": {"primitive": {"datetime": v}}}


def lit_duration(v):
    return {"scalar": {"primitive": {"duration": v}}}


def lit_collection(items):
    return {"collection": {"literals": items}}


def lit_map(items):
    return {"map": {"literals": items}}


def rand_int(rng):
    r = rng.random()
    if r < 0.5:
        return rng.randint(0, 1000)
    if r < 0.8:
        return rng.randint(-(10**6), 10**6)
    if r < 0.98:
        return rng.randint(-(2**53), 2**53)
    return rng.choice([-(2**63), 2**63 - 1, 0, -1, 2**53 + 1])


def rand_float(rng):
    r = rng.random()
    if r < 0.4:
        return rng.random()
    if r < 0.7:
        return rng.uniform(-1e6, 1e6)
    if r < 0.8:
        return float(rng.randint(-1000, 1000))  # integral doubles
    if r < 0.9:
        return rng.uniform(-1, 1) * 10.0 ** rng.randint(-300, 300)
    return round(rng.uniform(-100, 100), rng.randint(0, 6))


def rand_string(rng, lo=10, hi=60):
    n = rng.randint(lo, hi)
    if rng.random() < 0.7:  # pure ASCII
        return "".join(rng.choice(ASCII_CHARS) for _ in range(n))
    return "".join(
        rng.choice(UNICODE_CHARS) if rng.random() < 0.3 else rng.choice(ASCII_CHARS)
        for _ in range(n)
    )


def rand_datetime(rng):
    secs = rng.randint(0, 2**31 - 1)  # 1970 .. 2038
    dt = EPOCH + datetime.timedelta(seconds=secs)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    digits = rng.choice([0, 0, 3, 6, 9])
    if digits == 0:
        return base + "Z"
    frac = rng.randint(0, 10**digits - 1)
    return "%s.%0*dZ" % (base, digits, frac)


def rand_duration(rng):
    secs = rng.choice([0, rng.randint(0, 59), rng.randint(0, 86400), rng.randint(0, 10**9)])
    digits = rng.choice([0, 0, 1, 3, 6, 9])
    sign = "-" if rng.random() < 0.15 else ""
    if digits == 0:
        return "%s%ds" % (sign, secs)
    frac = rng.randint(0, 10**digits - 1)
    return "%s%d.%0*ds" % (sign, secs, digits, frac)


LEAF_KINDS = [
    lambda rng: lit_int(rand_int(rng)),
    lambda rng: lit_float(rand_float(rng)),
    lambda rng: lit_str(rand_string(rng, 0, 30)),
    lambda rng: lit_bool(rng.random() < 0.5),
    lambda rng: lit_datetime(rand_datetime(rng)),
    lambda rng: lit_duration(rand_duration(rng)),
]


def nested(rng, level, counter):
    fanout = NESTED_FANOUT[level]
    out = {}
    for i in range(fanout):
        key = rng.choice(["k", "field_", "node", "x", "名前", "Key-"]) + str(i)
        if level + 1 == len(NESTED_FANOUT):
            out[key] = rng.choice(LEAF_KINDS)(rng)
            counter[0] += 1
        else:
            out[key] = nested(rng, level + 1, counter)
    return lit_map(out)


def gen_ints(rng):
    return {"literals": {"xs": lit_collection([lit_int(rand_int(rng)) for _ in range(1_000_000)])}}


def gen_strings(rng):
    return {"literals": {"ss": lit_collection([lit_str(rand_string(rng)) for _ in range(100_000)])}}


def gen_nested(rng):
    counter = [0]
    tree = nested(rng, 0, counter)
    assert 100_000 <= counter[0] <= 200_000, counter[0]
    return {"literals": {"tree": tree}}


def gen_realistic(rng):
    del rng  # hand-written: every value is fixed
    lits = {
        "n_epochs": lit_int(40),
        "batch_size": lit_int(256),
        "seed": lit_int(8731925519203445),
        "learning_rate": lit_float(0.0003),
        "dropout": lit_float(0.1),
        "model_name": lit_str("resnet50-finetune"),
        "experiment": lit_str("Q3 churn model — région EMEA"),
        "use_gpu": lit_bool(True),
        "dry_run": lit_bool(False),
        "run_date": lit_datetime("2026-08-01T06:30:00.250Z"),
        "timeout": lit_duration("5400s"),
        "train_csv": {
            "scalar": {
                "blob": {
                    "uri": "s3://acme-ml-data/churn/2026-08-01/train.csv",
                    "metadata": {"type": {"format": "csv"}},
                }
            }
        },
        "model_dir": {
            "scalar": {
                "blob": {
                    "uri": "s3://acme-ml-models/churn/resnet50/v17/",
                    "metadata": {"type": {"dimensionality": "MULTIPART"}},
                }
            }
        },
        "features": {
            "scalar": {
                "structuredDataset": {
                    "uri": "s3://acme-ml-data/churn/2026-08-01/features.parquet",
                    "metadata": {
                        "structuredDatasetType": {
                            "format": "parquet",
                            "columns": [
                                {"name": "customer_id", "literalType": {"simple": "STRING"}},
                                {"name": "tenure_days", "literalType": {"simple": "INTEGER"}},
                                {"name": "monthly_spend", "literalType": {"simple": "FLOAT"}},
                            ],
                        }
                    },
                }
            }
        },
        "config": {
            "scalar": {
                "generic": {
                    "optimizer": {"name": "adamw", "betas": [0.9, 0.999], "eps": 1e-08},
                    "scheduler": {"name": "cosine", "warmup_steps": 500, "min_lr": 0.0},
                    "augment": True,
                    "notes": None,
                    "layers_frozen": ["conv1", "layer1"],
                }
            }
        },
        "tags": lit_collection([lit_str(s) for s in ["prod", "churn", "weekly", "emea"]]),
        "class_weights": lit_map({"churned": lit_float(3.5), "retained": lit_float(1.0)}),
        "max_rows": {
            "scalar": {
                "union": {
                    "value": lit_int(5000000),
                    "type": {"simple": "INTEGER", "structure": {"tag": "int"}},
                }
            }
        },
        "reference_table": {
            "scalar": {
                "structuredDataset": {
                    "uri": "s3://acme-ml-data/ref/customers_snapshot.parquet",
                    "metadata": {"structuredDatasetType": {"format": "parquet"}},
                }
            },
            "hash": "5f2b9c1e0a7d4e3f8b6a1c2d3e4f5a6b",
        },
        "upstream_model": {
            "scalar": {
                "blob": {
                    "uri": "s3://acme-ml-models/churn/base/model.pt",
                    "metadata": {"type": {"format": "pt"}},
                }
            },
            "metadata": {"k": "v"},
        },
    }
    assert len(lits) == 20, len(lits)
    return {"literals": lits}


FILES = [
    ("ints_1m.json", gen_ints),
    ("strings_100k.json", gen_strings),
    ("nested_maps.json", gen_nested),
    ("realistic_20.json", gen_realistic),
]


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: gen_inputs.py OUTDIR\n")
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    for i, (name, gen) in enumerate(FILES):
        rng = random.Random(SEED + i)  # one stream per file: files are independent
        doc = gen(rng)
        path = os.path.join(outdir, name)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            json.dump(doc, f, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            f.write("\n")
        print("%s\t%d bytes" % (path, os.path.getsize(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
