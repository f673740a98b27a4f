"""The Python side of bench/bindings: N sequential creates of a fetched task through the
binding; prints the median in microseconds.   bench_py.py URL N"""
import statistics
import sys
import time

from flyteremote import FlyteRemote, RawContainerTask

url, n = sys.argv[1], int(sys.argv[2])
remote = FlyteRemote(url, project="flytesnacks", domain="development")
remote.register_task(RawContainerTask("bench.bindings_py", "v1", image="alpine:3", command=["true"],
                                      inputs={"x": int}, outputs={}))
task = remote.fetch_task("bench.bindings_py", "v1")
times = []
for k in range(n):
    t0 = time.perf_counter()
    remote.execute(task, {"x": k})
    times.append((time.perf_counter() - t0) * 1e6)
print(f"python\t{statistics.median(times):.1f}")
