#!/usr/bin/env python3
"""flyteremote quickstart (Python): register a cached raw-container task, run it with a
hashed type hint, then run it again with a different spelling of the same input and watch
Flyte's cache answer, with the cache key the client predicted before submitting.

    flyte-devserver --listen 127.0.0.1:30080 &        # build/devserver/flyte-devserver
    python3 examples/python/quickstart.py http://127.0.0.1:30080

Needs `pip install ./bindings/python` (or PYTHONPATH=bindings/python) and the C library
(FLYTEREMOTE_LIB=build/libflyteremote.so, or installed on the loader path).
"""
import sys

from flyteremote import FlyteRemote, FlyteType, RawContainerTask, TypeHint


def normalized_title(title: str) -> str:
    """The hash function: titles that differ only in case and spacing are the same input."""
    return " ".join(title.split()).casefold()


def main(url: str) -> int:
    remote = FlyteRemote(url, project="flytesnacks", domain="development")
    task = remote.register_task(RawContainerTask(
        "summarize_clip", "v1", image="alpine:3.19", command=["sh", "-c"],
        args=["echo $(( {{.inputs.frames}} / 24 )) > {{.outputPrefix}}/seconds; "
              "echo '{{.inputs.title}}' | tr a-z A-Z > {{.outputPrefix}}/label"],
        inputs={"title": str, "frames": int},
        outputs={"seconds": FlyteType.integer(), "label": str},
        cache="1.0"))
    print(f"registered {task.id}")
    hints = {"title": TypeHint(hash=normalized_title)}

    statuses, tags = [], []
    for title in ("Cat Video", "  cat   VIDEO "):
        ex = remote.execute(task, {"title": title, "frames": 2400}, type_hints=hints, wait=True,
                            timeout=120, poll_interval=0.2)
        node = ex.nodes[0]
        key = ex.predicted_cache_key  # computed before the execution was created
        assert key is not None, "the task is cached, so its key is predicted"
        print(f"\n{ex.name}: title={title!r} -> {ex.phase} {ex.outputs}")
        print(f"  cache status : {node.cache_status}")
        print(f"  predicted key: {key.dataset.name}/{key.dataset.version} {key.artifact_tag}")
        print(f"  server's key : {node.catalog_key.artifact_tag if node.catalog_key else None}"
              f"  (match: {key.matches})")
        print(f"  console      : {remote.console_url(ex)}")
        statuses.append(node.cache_status)
        tags.append(key.artifact_tag)

    local = remote.cache_key({"title": "cat video", "frames": 2400}, type_hints=hints, entity=task)
    print(f"\ncache_key() computed locally: {local}")
    # The second run is a cache hit (the first too, on a server that has run this before).
    return 0 if statuses[1] == "CACHE_HIT" and tags == [local, local] else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
