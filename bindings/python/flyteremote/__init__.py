"""flyteremote: a Python client for Flyte's control plane, over the flyteremote C SDK.

Modelled on flytekit's ``FlyteRemote``::

    from flyteremote import SHA256_FILE, FlyteRemote, FlyteType, RawContainerTask, TypeHint

    remote = FlyteRemote("http://127.0.0.1:30080", project="flytesnacks", domain="development")
    task = remote.register_task(RawContainerTask(
        "word_count", "v1", image="alpine", command=["sh", "-c"],
        args=["wc -w < {{.inputs.doc}} > {{.outputPrefix}}/n"],
        inputs={"doc": FlyteType.blob()}, outputs={"n": int}, cache="1.0"))
    ex = remote.execute(task, {"doc": "notes.txt"},
                        type_hints={"doc": TypeHint(hash=SHA256_FILE)}, wait=True)
    print(ex.outputs["n"], ex.predicted_cache_key)

The C library (libflyteremote.so) is loaded at import: see :mod:`flyteremote._ffi` for where
it is looked for (``FLYTEREMOTE_LIB`` first).
"""
from ._ffi import C_VERSION, MIN_C_VERSION
from .entities import (Cache, FlyteEntity, FlyteLaunchPlan, FlyteTask, FlyteWorkflow, Identifier, Interface,
                       LaunchPlan, Node, NodeOutput, RawContainerTask, ReferenceEntity, ReferenceLaunchPlan,
                       ReferenceTask, ReferenceWorkflow, Workflow, WorkflowInput)
from .errors import (AlreadyExists, AuthError, FlyteRemoteError, InvalidInput, NotFound, Timeout,
                     Unavailable)
from .execution import (CatalogKey, DatasetId, ExecutionId, FlyteExecution, NodeInfo, PredictedCacheKey)
from .remote import FlyteRemote, cache_key
from .types import CANONICAL_JSON, SHA256_DIR, SHA256_FILE, CHasher, FlyteType, HashMethod, TypeHint
from .values import LiteralError

__version__ = "0.1.0"

__all__ = [
    "AlreadyExists", "AuthError", "C_VERSION", "CANONICAL_JSON", "CHasher", "Cache", "CatalogKey", "DatasetId",
    "ExecutionId", "FlyteEntity", "FlyteExecution", "FlyteLaunchPlan", "FlyteRemote", "FlyteRemoteError",
    "FlyteTask", "FlyteType", "FlyteWorkflow", "HashMethod", "Identifier", "Interface", "InvalidInput",
    "LaunchPlan", "LiteralError", "MIN_C_VERSION", "Node", "NodeInfo", "NodeOutput", "NotFound",
    "PredictedCacheKey", "RawContainerTask", "ReferenceEntity", "ReferenceLaunchPlan", "ReferenceTask",
    "ReferenceWorkflow", "SHA256_DIR", "SHA256_FILE", "Timeout", "TypeHint", "Unavailable", "Workflow",
    "WorkflowInput", "cache_key",
]
