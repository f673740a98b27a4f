"""Executions: a handle on one run, its phase, outputs, node states and cache keys."""
from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ._ffi import ffi, lib, pystr
from .errors import FlyteRemoteError
from .values import from_literal_map

if TYPE_CHECKING:  # pragma: no cover
    from .remote import FlyteRemote

#: Phases after which nothing changes.
TERMINAL_PHASES = frozenset({"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"})


@dataclasses.dataclass(frozen=True)
class ExecutionId:
    project: str
    domain: str
    name: str


@dataclasses.dataclass(frozen=True)
class DatasetId:
    """A DataCatalog dataset: where a cached task's outputs live."""

    project: str
    domain: str
    name: str
    version: str


@dataclasses.dataclass(frozen=True)
class CatalogKey:
    """The cache entry a node used: its dataset and artifact tag."""

    dataset: DatasetId
    artifact_tag: str


@dataclasses.dataclass(frozen=True)
class NodeInfo:
    """A node execution as of the last sync.

    Attributes:
        cache_status: "CACHE_DISABLED", "CACHE_MISS", "CACHE_HIT", "CACHE_POPULATED", ...
        catalog_key: the cache entry it read or wrote, or None.
    """

    node_id: str
    phase: str
    cache_status: str
    catalog_key: Optional[CatalogKey]
    error: Optional[str]

    @property
    def cache_hit(self) -> bool:
        return self.cache_status == "CACHE_HIT"


@dataclasses.dataclass(frozen=True)
class PredictedCacheKey:
    """A cache key the C SDK computed before the execution was created, and what the server
    reported after.

    Attributes:
        matches: True when the server used exactly this key, False when it used another,
            None while not known (the node has not reported a key yet).
    """

    node_id: str
    dataset: DatasetId
    artifact_tag: str
    server_artifact_tag: Optional[str]
    server_dataset_version: Optional[str]
    matches: Optional[bool]


class FlyteExecution:
    """A handle on an execution (``execute()``, ``fetch_execution()``, ``relaunch()``).

    Its state is what the last ``wait()`` / ``sync()`` saw. One handle may be shared between
    threads: calls on it are serialised.
    """

    def __init__(self, remote: "FlyteRemote", handle: Any) -> None:
        self._remote = remote
        self._handle = ffi.gc(handle, lib.flyte_execution_free)
        self._lock = threading.RLock()

    # ---- identity ----

    @property
    def id(self) -> ExecutionId:
        return ExecutionId(self.project, self.domain, self.name)

    @property
    def name(self) -> str:
        return pystr(lib.flyte_execution_name(self._handle)) or ""

    @property
    def project(self) -> str:
        return pystr(lib.flyte_execution_project(self._handle)) or ""

    @property
    def domain(self) -> str:
        return pystr(lib.flyte_execution_domain(self._handle)) or ""

    def __repr__(self) -> str:
        return f"FlyteExecution({self.project}/{self.domain}/{self.name}, {self.phase})"

    # ---- state ----

    @property
    def phase(self) -> str:
        """"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT", ..."""
        with self._lock:
            return pystr(lib.flyte_phase_name(lib.flyte_execution_phase_of(self._handle))) or "UNDEFINED"

    @property
    def is_done(self) -> bool:
        with self._lock:
            return bool(lib.flyte_execution_is_done(self._handle))

    @property
    def is_successful(self) -> bool:
        return self.phase == "SUCCEEDED"

    @property
    def error(self) -> Optional[str]:
        """The error message of a failed (or aborted) execution, else None."""
        with self._lock:
            return pystr(lib.flyte_execution_error_message(self._handle))

    @property
    def inputs(self) -> Dict[str, Any]:
        """The inputs as sent (local files as their uploaded URIs)."""
        with self._lock:
            return from_literal_map(lib.flyte_execution_inputs(self._handle))

    @property
    def outputs(self) -> Dict[str, Any]:
        """The outputs as Python values. Raises FlyteRemoteError unless the execution succeeded
        (as flytekit's ``outputs`` does): ``wait()`` first."""
        with self._lock:
            m = lib.flyte_execution_outputs(self._handle)
            if m == ffi.NULL:
                phase = self.phase
                if phase not in TERMINAL_PHASES:
                    raise FlyteRemoteError(f"execution {self.name} is {phase}: wait until it has completed "
                                           "before reading its outputs")
                raise FlyteRemoteError(f"execution {self.name} ended {phase}, it has no outputs"
                                       + (f": {self.error}" if self.error else ""))
            return from_literal_map(m)

    @property
    def nodes(self) -> List[NodeInfo]:
        """Node executions (start and end nodes left out), as of the last sync."""
        with self._lock:
            return [_node(lib.flyte_execution_node_at(self._handle, i))
                    for i in range(lib.flyte_execution_node_count(self._handle))]

    @property
    def predicted_cache_keys(self) -> List[PredictedCacheKey]:
        """The cache keys predicted at launch for task nodes fed only by the execution's inputs
        and constants (empty for a relaunched or fetched execution)."""
        with self._lock:
            return [_prediction(lib.flyte_execution_prediction_at(self._handle, i))
                    for i in range(lib.flyte_execution_prediction_count(self._handle))]

    @property
    def predicted_cache_key(self) -> Optional[PredictedCacheKey]:
        """The first predicted cache key, or None."""
        keys = self.predicted_cache_keys
        return keys[0] if keys else None

    # ---- conveniences delegating to the remote ----

    def wait(self, timeout: Any = None, poll_interval: Any = None) -> "FlyteExecution":
        return self._remote.wait(self, timeout=timeout, poll_interval=poll_interval)

    def sync(self) -> "FlyteExecution":
        return self._remote.sync(self)


def _node(n: Any) -> NodeInfo:
    key = None
    if n.artifact_tag != ffi.NULL and n.dataset_name != ffi.NULL:
        key = CatalogKey(DatasetId(pystr(n.dataset_project) or "", pystr(n.dataset_domain) or "",
                                   pystr(n.dataset_name) or "", pystr(n.dataset_version) or ""),
                         pystr(n.artifact_tag) or "")
    return NodeInfo(pystr(n.node_id) or "", pystr(n.phase_name) or "UNDEFINED",
                    pystr(lib.flyte_cache_status_name(n.cache_status)) or "UNKNOWN", key, pystr(n.error_message))


def _prediction(p: Any) -> PredictedCacheKey:
    d = p.dataset
    return PredictedCacheKey(pystr(p.node_id) or "",
                             DatasetId(pystr(d.project) or "", pystr(d.domain) or "", pystr(d.name) or "",
                                       pystr(d.version) or ""),
                             pystr(p.artifact_tag) or "", pystr(p.server_artifact_tag),
                             pystr(p.server_dataset_version), None if p.matches < 0 else bool(p.matches))
