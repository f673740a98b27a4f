"""FlyteRemote: the entry point, modelled on flytekit's ``flytekit.remote.FlyteRemote``."""
from __future__ import annotations

import datetime as _dt
import os
import threading
import time
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _callbacks
from ._ffi import FLYTE_ARTIFACT_TAG_LEN, ffi, lib, pystr, str_array, take_string
from .entities import (Entity, FlyteEntity, FlyteLaunchPlan, FlyteTask, FlyteWorkflow, Identifier, Interface,
                       LaunchPlan, RawContainerTask, ReferenceEntity, ReferenceLaunchPlan, ReferenceTask,
                       ReferenceWorkflow, Workflow)
from .errors import ErrorSlot, FlyteRemoteError, InvalidInput, Timeout, check
from .execution import FlyteExecution
from .types import FlyteType, TypeHint
from .values import literal_map

Seconds = Union[None, int, float, _dt.timedelta]


def _ms(t: Seconds, what: str) -> int:
    if t is None:
        return 0
    s = t.total_seconds() if isinstance(t, _dt.timedelta) else float(t)
    if s < 0:
        raise InvalidInput(f"{what} must not be negative")
    return max(1, int(round(s * 1000))) if s > 0 else 0


class FlyteRemote:
    """A connection to FlyteAdmin (or flyte-devserver): register, fetch, execute, watch.

    Thread-safe: one FlyteRemote may be used from many threads (the C client keeps a pool
    of connections). Free it with :meth:`close` or a ``with`` block, or let it be collected.

    Args:
        endpoint: ``http://host:port``, ``https://host``, ``dns:///host:port`` or ``host:port``.
        project, domain: defaults of every call (default "flytesnacks" / "development").
        insecure: for an endpoint without a scheme, plain HTTP rather than HTTPS.
        console_endpoint: base of console URLs (default: the endpoint).
        token: a static bearer token.
        client_id, client_secret, scopes, audience: OAuth2 client credentials.
        auth_command: a command (argv) that prints a bearer token.
        ca_cert_path, insecure_skip_verify: TLS settings.
        timeout: one HTTP request, whole (seconds; default 30).
        max_attempts: attempts of a retryable call (default 5; 1 = no retries).

    The C SDK's log goes to the ``logging`` logger "flyteremote" (at the level it has when
    the remote is created).
    """

    def __init__(self, endpoint: str, project: Optional[str] = None, domain: Optional[str] = None,
                 insecure: bool = False, *, console_endpoint: Optional[str] = None, token: Optional[str] = None,
                 client_id: Optional[str] = None, client_secret: Optional[str] = None,
                 scopes: Sequence[str] = (), audience: Optional[str] = None,
                 auth_command: Optional[Sequence[str]] = None, ca_cert_path: Optional[str] = None,
                 insecure_skip_verify: bool = False, timeout: Seconds = None,
                 max_attempts: Optional[int] = None) -> None:
        self._connect(endpoint, project, domain, insecure=insecure, console_endpoint=console_endpoint, token=token,
                      client_id=client_id, client_secret=client_secret, scopes=scopes, audience=audience,
                      auth_command=auth_command, ca_cert_path=ca_cert_path,
                      insecure_skip_verify=insecure_skip_verify, timeout=timeout, max_attempts=max_attempts)

    @classmethod
    def from_config(cls, path: Union[None, str, "os.PathLike[str]"] = None, project: Optional[str] = None,
                    domain: Optional[str] = None) -> "FlyteRemote":
        """A remote from Flyte's usual configuration: the YAML file at `path`, else
        $FLYTECTL_CONFIG, else ~/.flyte/config.yaml, with FLYTE_* environment variables over
        file values (as flytectl and flytekit read them). `project` / `domain` override."""
        self = cls.__new__(cls)
        self._connect(None, project, domain, config=(os.fspath(path) if path is not None else None,))
        return self

    def _connect(self, endpoint: Optional[str], project: Optional[str], domain: Optional[str], *,
                 insecure: bool = False, console_endpoint: Optional[str] = None, token: Optional[str] = None,
                 client_id: Optional[str] = None, client_secret: Optional[str] = None,
                 scopes: Sequence[str] = (), audience: Optional[str] = None,
                 auth_command: Optional[Sequence[str]] = None, ca_cert_path: Optional[str] = None,
                 insecure_skip_verify: bool = False, timeout: Seconds = None, max_attempts: Optional[int] = None,
                 config: Optional[Tuple[Optional[str]]] = None) -> None:
        """Fills flyte_client_options (from the Flyte configuration first when `config`, a
        1-tuple of its path or None, is given) and creates the C client. The option strings
        (`keep`, and the configuration's) need only outlive flyte_client_new, which copies them."""
        opts = ffi.new("flyte_client_options *")
        check(lib.flyte_client_options_init(opts, 1), "initialising client options")
        keep: List[Any] = []
        e = ErrorSlot()
        if config is not None:
            out = ffi.new("flyte_config **")
            path = config[0]
            e.check(lib.flyte_config_load(out, path.encode() if path else ffi.NULL, e.ptr),
                    "loading the Flyte configuration")
            keep.append(ffi.gc(out[0], lib.flyte_config_free))
            check(lib.flyte_config_apply(keep[-1], opts), "applying the Flyte configuration")

        def text(field: str, value: Optional[str]) -> None:
            if value is not None:
                c = ffi.new("char[]", value.encode())
                keep.append(c)
                setattr(opts, field, c)

        def strings(array_field: str, count_field: str, items: Sequence[str]) -> None:
            arr, k = str_array(list(items))
            keep.extend([arr, k])
            setattr(opts, array_field, arr)
            setattr(opts, count_field, len(items))

        text("endpoint", endpoint)
        text("project", project)
        text("domain", domain)
        text("console_endpoint", console_endpoint)
        text("ca_cert_path", ca_cert_path)
        text("audience", audience)
        if insecure:
            opts.insecure = 1
        if insecure_skip_verify:
            opts.insecure_skip_verify = 1
        if token is not None:
            opts.auth_type = lib.FLYTE_AUTH_TOKEN
            text("token", token)
        elif client_id is not None:
            opts.auth_type = lib.FLYTE_AUTH_CLIENT_SECRET
            text("client_id", client_id)
            text("client_secret", client_secret)
        elif auth_command:
            opts.auth_type = lib.FLYTE_AUTH_EXTERNAL_COMMAND
            strings("command", "n_command", auth_command)
        if scopes:
            strings("scopes", "n_scopes", scopes)
        if timeout is not None:
            opts.timeout_ms = _ms(timeout, "timeout")
        if max_attempts is not None:
            opts.max_attempts = max_attempts
        opts.log = _callbacks.log_trampoline
        opts.log_level = _callbacks.c_log_level()
        out_client = ffi.new("flyte_client **")
        e.check(lib.flyte_client_new(out_client, opts, e.ptr), "creating the client")
        self._client = ffi.gc(out_client[0], lib.flyte_client_free)
        self._closed = False
        self._lock = threading.Lock()

    # ---- lifetime ----

    def close(self) -> None:
        """Frees the connection. Calls in flight on other threads must have returned."""
        with self._lock:
            if not self._closed:
                self._closed = True
                ffi.release(self._client)  # runs flyte_client_free now

    def __enter__(self) -> "FlyteRemote":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def client(self) -> Any:
        if self._closed:
            raise FlyteRemoteError("this FlyteRemote is closed")
        return self._client

    @property
    def endpoint(self) -> str:
        return pystr(lib.flyte_client_endpoint(self.client)) or ""

    @property
    def default_project(self) -> str:
        return pystr(lib.flyte_client_project(self.client)) or ""

    @property
    def default_domain(self) -> str:
        return pystr(lib.flyte_client_domain(self.client)) or ""

    def __repr__(self) -> str:
        if self._closed:
            return "FlyteRemote(<closed>)"
        return f"FlyteRemote({self.endpoint!r}, project={self.default_project!r}, domain={self.default_domain!r})"

    # ---- fetch and references ----

    def _fetch(self, resource_type: str, name: str, version: Optional[str], project: Optional[str],
               domain: Optional[str]) -> FlyteEntity:
        ident = Identifier(resource_type, project or self.default_project, domain or self.default_domain, name,
                           version)
        cid, keep = ident._to_c()
        out = ffi.new("flyte_entity **")
        e = ErrorSlot()
        e.check(lib.flyte_fetch(self.client, out, cid, e.ptr), f"fetching {ident}")
        entity = ffi.gc(out[0], lib.flyte_entity_free)
        del keep
        return FlyteEntity._from_c(entity)

    def fetch_task(self, name: str, version: Optional[str] = None, project: Optional[str] = None,
                   domain: Optional[str] = None) -> FlyteTask:
        """A registered task; version None means the latest. NotFound when there is none."""
        return self._fetch("TASK", name, version, project, domain)  # type: ignore[return-value]

    def fetch_workflow(self, name: str, version: Optional[str] = None, project: Optional[str] = None,
                       domain: Optional[str] = None) -> FlyteWorkflow:
        return self._fetch("WORKFLOW", name, version, project, domain)  # type: ignore[return-value]

    def fetch_launch_plan(self, name: str, version: Optional[str] = None, project: Optional[str] = None,
                          domain: Optional[str] = None) -> FlyteLaunchPlan:
        return self._fetch("LAUNCH_PLAN", name, version, project, domain)  # type: ignore[return-value]

    @staticmethod
    def reference_task(project: str, domain: str, name: str, version: Optional[str] = None) -> ReferenceTask:
        """A task registered elsewhere, by id (version None: the latest at execution time)."""
        return ReferenceTask(project, domain, name, version)

    @staticmethod
    def reference_workflow(project: str, domain: str, name: str,
                           version: Optional[str] = None) -> ReferenceWorkflow:
        return ReferenceWorkflow(project, domain, name, version)

    @staticmethod
    def reference_launch_plan(project: str, domain: str, name: str,
                              version: Optional[str] = None) -> ReferenceLaunchPlan:
        return ReferenceLaunchPlan(project, domain, name, version)

    # ---- register ----

    def _where(self, project: Optional[str], domain: Optional[str]) -> Tuple[str, str]:
        return project or self.default_project, domain or self.default_domain

    def register_task(self, task: RawContainerTask, project: Optional[str] = None,
                      domain: Optional[str] = None) -> FlyteTask:
        """Registers a task (idempotent: an identical one already registered is fine;
        AlreadyExists when a different one has the same version)."""
        p, d = self._where(project, domain)
        c = task._build(p, d)
        e = ErrorSlot()
        e.check(lib.flyte_register_task(self.client, c, e.ptr), f"registering task {task.name}")
        return FlyteTask(Identifier._from_c(lib.flyte_task_id(c)), Interface._from_c(lib.flyte_task_interface(c)))

    def register_workflow(self, workflow: Workflow, project: Optional[str] = None, domain: Optional[str] = None,
                          default_launch_plan: bool = True) -> FlyteWorkflow:
        """Registers the workflow's tasks, the workflow and (unless told not to) its default
        launch plan (same id, no defaults), which executing the workflow needs."""
        p, d = self._where(project, domain)
        self._register_tasks(workflow, p, d)
        c = workflow._build(p, d)
        e = ErrorSlot()
        e.check(lib.flyte_register_workflow(self.client, c, e.ptr), f"registering workflow {workflow.name}")
        if default_launch_plan:
            lp = LaunchPlan(workflow.name, workflow.version, workflow, project=workflow.project,
                            domain=workflow.domain)
            e.check(lib.flyte_register_launch_plan(self.client, lp._build(p, d, c), e.ptr),
                    f"registering the default launch plan of {workflow.name}")
        return FlyteWorkflow(Identifier._from_c(lib.flyte_workflow_id(c)),
                             Interface._from_c(lib.flyte_workflow_interface(c)))

    def register_launch_plan(self, launch_plan: LaunchPlan, project: Optional[str] = None,
                             domain: Optional[str] = None) -> FlyteLaunchPlan:
        """Registers the launch plan's workflow (and its tasks) if needed, then the launch plan."""
        p, d = self._where(project, domain)
        wf = launch_plan.workflow
        self._register_tasks(wf, p, d)
        cwf = wf._build(p, d)
        e = ErrorSlot()
        e.check(lib.flyte_register_workflow(self.client, cwf, e.ptr), f"registering workflow {wf.name}")
        c = launch_plan._build(p, d, cwf)
        e.check(lib.flyte_register_launch_plan(self.client, c, e.ptr), f"registering launch plan {launch_plan.name}")
        # As the server describes a launch plan: fixed inputs are not inputs of it any more.
        iface = Interface({k: v for k, v in wf.interface.inputs.items() if k not in launch_plan.fixed_inputs},
                          dict(wf.interface.outputs))
        return FlyteLaunchPlan(Identifier._from_c(lib.flyte_launch_plan_id(c)), iface,
                               dict(launch_plan.default_inputs), dict(launch_plan.fixed_inputs))

    def _register_tasks(self, wf: Workflow, project: str, domain: str) -> None:
        for t in wf.tasks():
            if isinstance(t, RawContainerTask):
                self.register_task(t, project, domain)

    def upload_file(self, path: Union[str, "os.PathLike[str]"], project: Optional[str] = None,
                    domain: Optional[str] = None, directory: bool = False) -> str:
        """Uploads a local file (or directory) through the data proxy; returns its remote URI."""
        out = ffi.new("char **")
        e = ErrorSlot()
        fn = lib.flyte_upload_directory if directory else lib.flyte_upload_file
        e.check(fn(self.client, out, os.fspath(path).encode(), project.encode() if project else ffi.NULL,
                   domain.encode() if domain else ffi.NULL, e.ptr), f"uploading {path}")
        return take_string(out[0])

    # ---- execute ----

    def _target(self, entity: Entity) -> Tuple[Identifier, Interface]:
        """The id to launch and the interface that types the inputs."""
        if isinstance(entity, FlyteEntity):
            return entity.id, entity.interface
        if isinstance(entity, ReferenceEntity):
            i = entity.id
            fetched = self._fetch(i.resource_type, i.name, i.version, i.project, i.domain)
            return fetched.id, fetched.interface
        if isinstance(entity, RawContainerTask):
            t = self.register_task(entity)
            return t.id, t.interface
        if isinstance(entity, Workflow):
            w = self.register_workflow(entity)
            return w.id, w.interface
        if isinstance(entity, LaunchPlan):
            lp = self.register_launch_plan(entity)
            return lp.id, lp.interface
        raise InvalidInput(f"cannot execute {entity!r}: expected a task, workflow or launch plan")

    def execute(self, entity: Entity, inputs: Optional[Mapping[str, Any]] = None, *,
                type_hints: Optional[Mapping[str, Any]] = None, overwrite_cache: bool = False,
                tags: Sequence[str] = (), labels: Optional[Mapping[str, str]] = None,
                annotations: Optional[Mapping[str, str]] = None, envs: Optional[Mapping[str, str]] = None,
                execution_name: Optional[str] = None, execution_name_prefix: Optional[str] = None,
                project: Optional[str] = None, domain: Optional[str] = None,
                interruptible: Optional[bool] = None, max_parallelism: Optional[int] = None,
                raw_output_prefix: Optional[str] = None, wait: bool = False, timeout: Seconds = None,
                poll_interval: Seconds = None) -> FlyteExecution:
        """Launches `entity` with Python `inputs`, typed by its interface.

        Args:
            entity: a fetched entity, a reference entity, or a local RawContainerTask,
                Workflow or LaunchPlan (registered first, idempotently).
            inputs: name -> Python value. Launch-plan defaults fill what is left out; a
                value for a fixed input is refused (InvalidInput naming it).
            type_hints: name -> TypeHint (a type and/or a hash function), a FlyteType, a
                Python type, or ``Annotated[T, HashMethod(fn)]``. A hash function receives
                the Python value; an exception it raises propagates from here unchanged.
            overwrite_cache: run cached tasks again and replace their cached outputs.
            tags, labels, annotations, envs: of the execution.
            execution_name / execution_name_prefix: the name, or its prefix (otherwise a
                random name is chosen before the first attempt, so retries never duplicate).
            project, domain: where it runs (default: the remote's).
            wait: wait for the end (``timeout`` / ``poll_interval`` as for :meth:`wait`).

        Local blob inputs (paths) are hashed by their type hints first, then uploaded by the C
        SDK. Cache keys of task nodes fed only by inputs are predicted before submission:
        see ``FlyteExecution.predicted_cache_keys``.
        """
        ident, interface = self._target(entity)
        values = dict(inputs or {})
        hints = {k: TypeHint.of(v) for k, v in (type_hints or {}).items()}
        types: Dict[str, Optional[FlyteType]] = dict(interface.inputs)
        for k, h in hints.items():
            if h.flyte_type is not None:
                types[k] = h.flyte_type
        lits = literal_map(values, types)
        e = ErrorSlot()
        chints, keep_hints = _callbacks.type_hints(hints, values, e)
        opts, keep_opts = self._execute_options(overwrite_cache, tags, labels, annotations, envs, execution_name,
                                                execution_name_prefix, project, domain, interruptible,
                                                max_parallelism, raw_output_prefix)
        cid, keep_id = ident._to_c()
        out = ffi.new("flyte_execution **")
        e.check(lib.flyte_execute(self.client, out, cid, lits, chints, opts, e.ptr), f"executing {ident}")
        del keep_hints, keep_opts, keep_id
        execution = FlyteExecution(self, out[0])
        if wait:
            self.wait(execution, timeout=timeout, poll_interval=poll_interval)
        return execution

    @staticmethod
    def _execute_options(overwrite_cache: bool, tags: Sequence[str], labels: Optional[Mapping[str, str]],
                         annotations: Optional[Mapping[str, str]], envs: Optional[Mapping[str, str]],
                         name: Optional[str], prefix: Optional[str], project: Optional[str],
                         domain: Optional[str], interruptible: Optional[bool], max_parallelism: Optional[int],
                         raw_output_prefix: Optional[str]) -> Tuple[Any, List[Any]]:
        opts = ffi.new("flyte_execute_options *")
        check(lib.flyte_execute_options_init(opts, 1), "initialising execute options")
        keep: List[Any] = [opts]

        def text(v: Optional[str]) -> Any:
            if v is None:
                return ffi.NULL
            c = ffi.new("char[]", v.encode())
            keep.append(c)
            return c

        def strings(items: Sequence[str]) -> Any:
            arr, k = str_array(items)
            keep.extend([arr, k])
            return arr

        opts.project, opts.domain, opts.name, opts.name_prefix = text(project), text(domain), text(name), text(prefix)
        opts.raw_output_prefix = text(raw_output_prefix)
        opts.overwrite_cache = 1 if overwrite_cache else 0
        tags = list(tags)
        opts.tags, opts.n_tags = strings(tags), len(tags)
        for pairs, kf, vf, nf in ((labels, "label_keys", "label_values", "n_labels"),
                                  (annotations, "annotation_keys", "annotation_values", "n_annotations"),
                                  (envs, "env_keys", "env_values", "n_envs")):
            items = list((pairs or {}).items())
            setattr(opts, kf, strings([k for k, _ in items]))
            setattr(opts, vf, strings([str(v) for _, v in items]))
            setattr(opts, nf, len(items))
        if interruptible is not None:
            opts.interruptible = 1 if interruptible else 2
        if max_parallelism:
            opts.max_parallelism = max_parallelism
        return opts, keep

    # ---- observe and control ----

    def fetch_execution(self, name: str, project: Optional[str] = None,
                        domain: Optional[str] = None) -> FlyteExecution:
        """A handle on an existing execution, synced. NotFound when there is none."""
        out = ffi.new("flyte_execution **")
        e = ErrorSlot()
        e.check(lib.flyte_execution_get(self.client, out, project.encode() if project else ffi.NULL,
                                        domain.encode() if domain else ffi.NULL, name.encode(), e.ptr),
                f"fetching execution {name}")
        return FlyteExecution(self, out[0])

    def wait(self, execution: FlyteExecution, timeout: Seconds = None,
             poll_interval: Seconds = None) -> FlyteExecution:
        """Polls until the execution is done (any terminal phase: check ``.phase``), then syncs
        its nodes and outputs. Polls back off from 0.2 s to `poll_interval` (default 5 s), as
        the C SDK's wait does. Timeout (a TimeoutError) when `timeout` passes first.

        The sleeping happens here, in Python, so Ctrl-C (KeyboardInterrupt) stops a wait
        promptly; each poll is one short C call with the GIL released."""
        timeout_ms = _ms(timeout, "timeout")
        interval = _ms(poll_interval, "poll_interval") or 5000
        delay = min(200, interval)
        deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms else None
        while not self._poll(execution):
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise Timeout(f"execution {execution.name} is still {execution.phase} after {timeout_ms} ms",
                              code=lib.FLYTE_ETIMEOUT)
            pause = delay / 1000 if deadline is None else min(delay / 1000, deadline - now)
            time.sleep(pause)
            delay = min(delay * 2, interval)
        return execution

    def _poll(self, execution: FlyteExecution) -> bool:
        """One cheap status poll; True (after a full sync) once the execution is done.

        The C API has no single-poll call that reads only the phase (flyte_execution_sync
        also lists every node execution), so this is flyte_execution_wait with a 1 ms
        budget: it polls once and reports FLYTE_ETIMEOUT while the execution runs."""
        with execution._lock:
            e = ErrorSlot()
            rc = lib.flyte_execution_wait(self.client, execution._handle, 1, 1, e.ptr)
            if rc == lib.FLYTE_ETIMEOUT:
                e.check(0)  # frees the error
                return False
            e.check(rc, f"waiting for {execution.name}")
            return True

    def sync(self, execution: FlyteExecution) -> FlyteExecution:
        """Refreshes phase, nodes (cache status, catalog keys) and, once succeeded, outputs."""
        with execution._lock:
            e = ErrorSlot()
            e.check(lib.flyte_execution_sync(self.client, execution._handle, e.ptr), f"syncing {execution.name}")
        return execution

    def terminate(self, execution: FlyteExecution, cause: str) -> None:
        """Aborts a running execution."""
        with execution._lock:
            e = ErrorSlot()
            e.check(lib.flyte_execution_terminate(self.client, execution._handle, cause.encode(), e.ptr),
                    f"terminating {execution.name}")

    def relaunch(self, execution: FlyteExecution, overwrite_cache: bool = False) -> FlyteExecution:
        """Launches it again with the same inputs, as a new execution."""
        out = ffi.new("flyte_execution **")
        with execution._lock:
            e = ErrorSlot()
            e.check(lib.flyte_execution_relaunch(self.client, out, execution._handle, 1 if overwrite_cache else 0,
                                                 e.ptr), f"relaunching {execution.name}")
        return FlyteExecution(self, out[0])

    def recover(self, execution: FlyteExecution) -> FlyteExecution:
        """Recovers a failed execution: succeeded nodes keep their outputs, the rest run again."""
        out = ffi.new("flyte_execution **")
        with execution._lock:
            e = ErrorSlot()
            e.check(lib.flyte_execution_recover(self.client, out, execution._handle, e.ptr),
                    f"recovering {execution.name}")
        return FlyteExecution(self, out[0])

    def console_url(self, execution: FlyteExecution) -> str:
        """The execution's page in the Flyte console."""
        out = ffi.new("char **")
        check(lib.flyte_execution_console_url(out, self.client, execution._handle), "building the console URL")
        return take_string(out[0])

    # ---- cache keys ----

    def cache_key(self, inputs: Mapping[str, Any], type_hints: Optional[Mapping[str, Any]] = None,
                  ignore: Sequence[str] = (), entity: Optional[Entity] = None) -> str:
        """The artifact tag ("flyte_cached-...") Flyte's cache would use for these inputs,
        computed locally, bit-exact with flytepropeller. See :func:`cache_key`."""
        return cache_key(inputs, type_hints, ignore, entity)


def cache_key(inputs: Mapping[str, Any], type_hints: Optional[Mapping[str, Any]] = None,
              ignore: Sequence[str] = (), entity: Optional[Entity] = None) -> str:
    """The artifact tag of a task's inputs, computed locally (no server needed).

    Args:
        inputs: name -> Python value.
        type_hints: as for ``FlyteRemote.execute``: types to convert with, hash functions
            whose results replace the values in the key.
        ignore: inputs left out (the task's ``cache_ignore_input_vars``).
        entity: optional; its interface types the inputs (a fetched entity or a builder).
    """
    types: Dict[str, Optional[FlyteType]] = {}
    iface = getattr(entity, "interface", None)
    if isinstance(iface, Interface):
        types.update(iface.inputs)
    hints = {k: TypeHint.of(v) for k, v in (type_hints or {}).items()}
    for k, h in hints.items():
        if h.flyte_type is not None:
            types[k] = h.flyte_type
    values = dict(inputs)
    lits = literal_map(values, types)
    e = ErrorSlot()
    chints, keep = _callbacks.type_hints(hints, values, e)
    if chints != ffi.NULL:
        e.check(lib.flyte_type_hints_apply(chints, lits, e.ptr), "applying the type hints")
    ignored, keep_ignored = str_array(list(ignore))
    tag = ffi.new("char[]", FLYTE_ARTIFACT_TAG_LEN + 1)
    e.check(lib.flyte_cache_artifact_tag(tag, lits, ignored, len(ignore), e.ptr), "computing the cache key")
    return str(ffi.string(tag).decode())
