"""Durability: after kill -9 (or SIGTERM) and a restart, executions that were running are
FAILED with a message saying the server restarted, their processes are stopped, and
finished executions, outputs and cache entries are all still there."""
import time

from test_cache import cache_meta, counting_task, runs
from test_executions import (D, P, data, execute, integer, node, outputs, process_gone, run,
                             single_task_workflow, task_executions, task_template, value, wait_for)

RESTART_MESSAGE = "flyte-devserver restarted while the execution was running"


def start_sleeper(server, tmp_path):
    """An execution whose task records its process ids, then sleeps."""
    pidfile = tmp_path / "pids"
    lp = single_task_workflow(server, "sleeper", task_template(
        "sleeper", [f"sleep 60 & echo $$ $! > {pidfile}; wait"]))
    name = execute(server, lp)
    wait_for(lambda: pidfile.exists() and len(pidfile.read_text().split()) == 2, what="the task to start")
    wait_for(lambda: task_executions(server, name) and
             task_executions(server, name)[0]["closure"]["phase"] == "RUNNING", what="RUNNING")
    return name, [int(p) for p in pidfile.read_text().split()]


def assert_failed_by_restart(server, name):
    status, ex = server.get(f"/api/v1/executions/{P}/{D}/{name}")
    assert status == 200
    closure = ex["closure"]
    assert closure["phase"] == "FAILED"
    assert closure["error"]["message"] == RESTART_MESSAGE
    assert closure["error"]["kind"] == "SYSTEM"
    assert closure["duration"]
    n = node(server, name)["closure"]
    assert n["phase"] == "FAILED" and n["error"]["message"] == RESTART_MESSAGE
    te = task_executions(server, name)[0]["closure"]
    assert te["phase"] == "FAILED" and te["reason"] == RESTART_MESSAGE


def test_kill9_during_a_task_fails_the_execution_and_keeps_everything_else(server, tmp_path):
    counter = tmp_path / "runs"
    cached = single_task_workflow(server, "durable", counting_task("durable", counter))
    done = run(server, cached, {"a": integer(2), "b": integer(3)})
    assert done["closure"]["phase"] == "SUCCEEDED"
    name, pids = start_sleeper(server, tmp_path)

    server.restart(kill9=True)

    assert_failed_by_restart(server, name)
    # The orphaned processes of the running task are stopped at start-up.
    wait_for(lambda: all(process_gone(p) for p in pids), timeout=5, what="the orphaned task processes to go")
    # Finished executions, their outputs, nodes and cache entries survive.
    status, ex = server.get(f"/api/v1/executions/{P}/{D}/{done['id']['name']}")
    assert status == 200 and ex["closure"] == done["closure"]
    assert value(outputs(server, done["id"]["name"])["sum"]) == 5
    assert cache_meta(server, done["id"]["name"])["cache_status"] == "CACHE_POPULATED"
    # A new execution after the restart hits the cache written before it.
    again = run(server, cached, {"a": integer(2), "b": integer(3)})
    assert again["closure"]["phase"] == "SUCCEEDED"
    assert cache_meta(server, again["id"]["name"])["cache_status"] == "CACHE_HIT"
    assert runs(counter) == 1
    # A terminated-by-restart execution is terminal: terminate says so.
    status, err = server.delete(f"/api/v1/executions/{P}/{D}/{name}", {"cause": "late"})
    assert status == 400 and err["details"][0]["already_in_terminal_state"]["current_phase"] == "FAILED"


def test_sigterm_during_a_task_stops_quickly_and_the_restart_fails_the_execution(server, tmp_path):
    name, pids = start_sleeper(server, tmp_path)
    start = time.monotonic()
    server.stop()  # asserts exit status 0
    assert time.monotonic() - start < 5
    assert all(process_gone(p) for p in pids), "a clean stop kills the running tasks"
    server.start()
    assert_failed_by_restart(server, name)


def test_an_execution_created_after_a_restart_runs(server, tmp_path):
    lp = single_task_workflow(server, "after", task_template(
        "after", ["echo $(( {{.inputs.a}} + 1 )) > {{.outputPrefix}}/o"], inputs={"a": {"simple": "INTEGER"}},
        outputs={"o": {"simple": "INTEGER"}}))
    first = run(server, lp, {"a": integer(1)}, name="before-restart")
    server.restart(kill9=True)
    second = run(server, lp, {"a": integer(41)}, name="after-restart")
    assert second["closure"]["phase"] == "SUCCEEDED"
    assert value(outputs(server, "after-restart")["o"]) == 42
    assert data(server, first["id"]["name"])["full_inputs"]["literals"]["a"]["scalar"]["primitive"]["integer"] == "1"
