"""Tasks, workflows and launch plans: ids, interfaces, fetched entities, reference entities,
and the builders that define new ones for registration.

Builders (:class:`RawContainerTask`, :class:`Workflow`, :class:`LaunchPlan`) are plain Python
descriptions; the C objects (``flyte_task_new_raw_container`` and friends) are made when
they are registered or executed, once the project and domain are known.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _callbacks
from ._ffi import ffi, lib, pystr, str_array
from .errors import ErrorSlot, InvalidInput, check
from .types import FlyteType, TypeLike, as_flyte_type
from .values import from_literal_map, to_literal

_RESOURCE_NAMES = {
    lib.FLYTE_RESOURCE_TASK: "TASK",
    lib.FLYTE_RESOURCE_WORKFLOW: "WORKFLOW",
    lib.FLYTE_RESOURCE_LAUNCH_PLAN: "LAUNCH_PLAN",
    lib.FLYTE_RESOURCE_DATASET: "DATASET",
}
_RESOURCE_CODES = {v: k for k, v in _RESOURCE_NAMES.items()}


@dataclasses.dataclass(frozen=True)
class Identifier:
    """An entity id. `version` None (reference entities only) means the latest."""

    resource_type: str
    project: str
    domain: str
    name: str
    version: Optional[str] = None

    def __str__(self) -> str:
        return f"{self.resource_type}:{self.project}:{self.domain}:{self.name}:{self.version or 'latest'}"

    def _to_c(self) -> Tuple[Any, List[Any]]:
        """A ``flyte_identifier *`` and the strings it borrows."""
        keep = [ffi.new("char[]", s.encode()) if s is not None else ffi.NULL
                for s in (self.project, self.domain, self.name, self.version)]
        cid = ffi.new("flyte_identifier *")
        cid.resource_type = _RESOURCE_CODES[self.resource_type]
        cid.project, cid.domain, cid.name, cid.version = keep
        cid.org = ffi.NULL
        return cid, keep

    @classmethod
    def _from_c(cls, cid: Any) -> "Identifier":
        return cls(_RESOURCE_NAMES.get(cid.resource_type, "UNSPECIFIED"), pystr(cid.project) or "",
                   pystr(cid.domain) or "", pystr(cid.name) or "", pystr(cid.version))


@dataclasses.dataclass(frozen=True)
class Interface:
    """Typed inputs and outputs of an entity: name -> FlyteType (flytekit's TypedInterface)."""

    inputs: Dict[str, FlyteType] = dataclasses.field(default_factory=dict)
    outputs: Dict[str, FlyteType] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, inputs: Optional[Mapping[str, TypeLike]] = None,
           outputs: Optional[Mapping[str, TypeLike]] = None) -> "Interface":
        return cls({k: as_flyte_type(v) for k, v in (inputs or {}).items()},
                   {k: as_flyte_type(v) for k, v in (outputs or {}).items()})

    @classmethod
    def _from_c(cls, iface: Any) -> "Interface":
        if iface == ffi.NULL:
            return cls()
        return cls(_variables(lib.flyte_typed_interface_inputs(iface)),
                   _variables(lib.flyte_typed_interface_outputs(iface)))

    def _to_c(self) -> Any:
        """A new ``flyte_typed_interface *`` (freed with the returned cdata)."""
        maps = []
        for variables in (self.inputs, self.outputs):
            out = ffi.new("flyte_variable_map **")
            check(lib.flyte_variable_map_new(out), "creating a variable map")
            vm = ffi.gc(out[0], lib.flyte_variable_map_free)
            for name, t in variables.items():
                check(lib.flyte_variable_map_add(vm, name.encode(), t._to_c(), ffi.NULL), f'declaring "{name}"')
            maps.append(vm)
        out = ffi.new("flyte_typed_interface **")
        check(lib.flyte_typed_interface_new(out, maps[0], maps[1]), "creating an interface")
        return ffi.gc(out[0], lib.flyte_typed_interface_free)


def _variables(vm: Any) -> Dict[str, FlyteType]:
    if vm == ffi.NULL:
        return {}
    name = ffi.new("const char **")
    result = {}
    for i in range(lib.flyte_variable_map_count(vm)):
        t = lib.flyte_variable_map_at(vm, i, name, ffi.NULL)
        result[ffi.string(name[0]).decode()] = FlyteType._from_c(t)
    return result


# ---- fetched and reference entities ----

class FlyteEntity:
    """A registered task, workflow or launch plan (from ``fetch_*`` or ``register_*``).

    Attributes:
        id: its full id (version included).
        interface: its inputs and outputs.
        default_inputs: a launch plan's defaults as Python values (the caller may override).
        fixed_inputs: a launch plan's fixed inputs as Python values (the caller may not).
    """

    resource_type = "UNSPECIFIED"

    def __init__(self, id: Identifier, interface: Interface, default_inputs: Optional[Dict[str, Any]] = None,
                 fixed_inputs: Optional[Dict[str, Any]] = None, raw: Optional[str] = None) -> None:
        self.id = id
        self.interface = interface
        self.default_inputs: Dict[str, Any] = default_inputs or {}
        self.fixed_inputs: Dict[str, Any] = fixed_inputs or {}
        self._raw = raw

    @property
    def name(self) -> str:
        return self.id.name

    @property
    def version(self) -> Optional[str]:
        return self.id.version

    @property
    def raw(self) -> Optional[Dict[str, Any]]:
        """The admin message (admin.Task, admin.Workflow or admin.LaunchPlan) as a dict, when fetched."""
        return json.loads(self._raw) if self._raw else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id})"

    @classmethod
    def _from_c(cls, entity: Any) -> "FlyteEntity":
        cid = lib.flyte_entity_id(entity)
        ident = Identifier._from_c(cid)
        kind = {"TASK": FlyteTask, "WORKFLOW": FlyteWorkflow, "LAUNCH_PLAN": FlyteLaunchPlan}[ident.resource_type]
        return kind(ident, Interface._from_c(lib.flyte_entity_interface(entity)),
                    from_literal_map(lib.flyte_entity_defaults(entity)),
                    from_literal_map(lib.flyte_entity_fixed_inputs(entity)),
                    pystr(lib.flyte_entity_json(entity)))


class FlyteTask(FlyteEntity):
    """A registered task."""

    resource_type = "TASK"

    def _c_task(self) -> Any:
        """The task's template as a C ``flyte_task *`` (to use it as a workflow node)."""
        raw = self.raw or {}
        template = raw.get("closure", {}).get("compiled_task", {}).get("template")
        if template is None:
            raise InvalidInput(f"{self}: no task template to build a workflow node from (fetch the task first)")
        data = json.dumps(template).encode()
        out = ffi.new("flyte_task **")
        e = ErrorSlot()
        e.check(lib.flyte_task_from_json(out, data, len(data), e.ptr), f"reading the template of {self.id}")
        return ffi.gc(out[0], lib.flyte_task_free)


class FlyteWorkflow(FlyteEntity):
    """A registered workflow (executed through its default launch plan)."""

    resource_type = "WORKFLOW"


class FlyteLaunchPlan(FlyteEntity):
    """A registered launch plan."""

    resource_type = "LAUNCH_PLAN"


class ReferenceEntity:
    """Something registered elsewhere, known only by id (flytekit's ``reference_task`` etc.).

    Executing one fetches its interface from the server; nothing is compiled locally.
    """

    resource_type = "UNSPECIFIED"

    def __init__(self, project: str, domain: str, name: str, version: Optional[str] = None) -> None:
        self.id = Identifier(self.resource_type, project, domain, name, version or None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id})"


class ReferenceTask(ReferenceEntity):
    resource_type = "TASK"


class ReferenceWorkflow(ReferenceEntity):
    resource_type = "WORKFLOW"


class ReferenceLaunchPlan(ReferenceEntity):
    resource_type = "LAUNCH_PLAN"


# ---- builders ----

@dataclasses.dataclass
class Cache:
    """Cache settings of a task, as flytekit's ``Cache`` resolves them.

    Args:
        version: the cache version (wins over policies).
        policies: callables ``policy(salt) -> str`` (or objects with ``get_version(salt)``);
            with no version, the version is the SHA-256 of their results. An exception
            raised by one propagates from the registration.
        serialize: run at most one instance per key at once (``cache_serializable``).
        ignored_inputs: inputs left out of the cache key (``cache_ignore_input_vars``).
        salt: passed to the policies.
    """

    version: Optional[str] = None
    policies: Sequence[Callable[[str], str]] = ()
    serialize: bool = False
    ignored_inputs: Sequence[str] = ()
    salt: str = ""


def _seconds(t: Union[None, int, float, _dt.timedelta]) -> int:
    if t is None:
        return 0
    if isinstance(t, _dt.timedelta):
        return int(t.total_seconds())
    return int(t)


class RawContainerTask:
    """A raw-container task (flytekit's ``ContainerTask``): `image` runs `command` + `args`.

    In args, ``{{.inputs.x}}`` is replaced by input x, ``{{.outputPrefix}}`` by the outputs
    directory and ``{{.inputPrefix}}`` by the inputs one. With `input_data_dir` /
    `output_data_dir`, inputs are written there as files and outputs read from there (one
    file per variable), as flytekit's ContainerTask does.

    Args:
        name, version: the task id (project and domain come from the remote, or from
            `project` / `domain` here).
        image, command, args: the container.
        inputs, outputs: name -> FlyteType or Python type.
        cache: a :class:`Cache`, or a cache version string, or None (no caching).
        retries: retries after a failure.
        timeout: time limit of one attempt (seconds or timedelta).
        env: environment variables of the container.
    """

    resource_type = "TASK"

    def __init__(self, name: str, version: str, image: str, command: Sequence[str] = (),
                 args: Sequence[str] = (), inputs: Optional[Mapping[str, TypeLike]] = None,
                 outputs: Optional[Mapping[str, TypeLike]] = None, cache: Union[None, str, Cache] = None,
                 retries: int = 0, timeout: Union[None, int, float, _dt.timedelta] = None,
                 env: Optional[Mapping[str, str]] = None, input_data_dir: Optional[str] = None,
                 output_data_dir: Optional[str] = None, project: Optional[str] = None,
                 domain: Optional[str] = None) -> None:
        self.name = name
        self.version = version
        self.image = image
        self.command = list(command)
        self.args = list(args)
        self.interface = Interface.of(inputs, outputs)
        self.cache = Cache(version=cache) if isinstance(cache, str) else cache
        self.retries = retries
        self.timeout = timeout
        self.env = dict(env or {})
        self.input_data_dir = input_data_dir
        self.output_data_dir = output_data_dir
        self.project = project
        self.domain = domain

    def __repr__(self) -> str:
        return f"RawContainerTask({self.name!r}, {self.version!r})"

    def id_in(self, project: str, domain: str) -> Identifier:
        return Identifier("TASK", self.project or project, self.domain or domain, self.name, self.version)

    def _build(self, project: str, domain: str) -> Any:
        """The C ``flyte_task *`` (freed with the returned cdata)."""
        cid, keep = self.id_in(project, domain)._to_c()
        cmd, keep_cmd = str_array(self.command)
        args, keep_args = str_array(self.args)
        out = ffi.new("flyte_task **")
        e = ErrorSlot()
        e.check(lib.flyte_task_new_raw_container(out, cid, self.image.encode(), cmd, len(self.command), args,
                                                 len(self.args), self.interface._to_c(), e.ptr),
                f"building task {self.name}")
        task = ffi.gc(out[0], lib.flyte_task_free)
        if self.input_data_dir or self.output_data_dir:
            check(lib.flyte_task_set_data_config(task, (self.input_data_dir or "/var/inputs").encode(),
                                                 (self.output_data_dir or "/var/outputs").encode()),
                  "setting the data config")
        if self.retries:
            check(lib.flyte_task_set_retries(task, self.retries), "setting retries")
        if self.timeout:
            check(lib.flyte_task_set_timeout(task, _seconds(self.timeout)), "setting the timeout")
        for k, v in self.env.items():
            check(lib.flyte_task_set_env(task, k.encode(), v.encode()), f"setting env {k}")
        if self.cache is not None:
            self._set_cache(task)
        del keep, keep_cmd, keep_args
        return task

    def _set_cache(self, task: Any) -> None:
        c = self.cache
        assert c is not None
        e = ErrorSlot()
        opts = ffi.new("flyte_cache_options *")
        check(lib.flyte_cache_options_init(opts, 1), "initialising cache options")
        version = ffi.new("char[]", c.version.encode()) if c.version is not None else ffi.NULL
        salt = ffi.new("char[]", c.salt.encode()) if c.salt else ffi.NULL
        ignored, keep_ignored = str_array(c.ignored_inputs)
        policies, n, keep_policies = _callbacks.cache_policies(c.policies, e)
        opts.enabled = 1
        opts.cache_version = version
        opts.serialize = 1 if c.serialize else 0
        opts.ignored_inputs = ignored
        opts.n_ignored_inputs = len(c.ignored_inputs)
        opts.salt = salt
        opts.policies = policies
        opts.n_policies = n
        e.check(lib.flyte_task_set_cache(task, opts, e.ptr), f"task {self.name}: cache settings")
        del keep_ignored, keep_policies


class WorkflowInput:
    """A workflow input used as a node's input binding (``wf.input("x")``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"WorkflowInput({self.name!r})"


class NodeOutput:
    """A node's output used as another node's input or a workflow output (``node.output("o")``)."""

    def __init__(self, node_id: str, name: str) -> None:
        self.node_id = node_id
        self.name = name

    def __repr__(self) -> str:
        return f"NodeOutput({self.node_id!r}, {self.name!r})"


class Node:
    """A task node of a :class:`Workflow`."""

    def __init__(self, node_id: str, task: Union[RawContainerTask, FlyteTask], bindings: Dict[str, Any]) -> None:
        self.id = node_id
        self.task = task
        self.bindings = bindings

    def output(self, name: str) -> NodeOutput:
        if name not in self.task.interface.outputs:
            raise InvalidInput(f'node {self.id}: task {self.task.name} has no output "{name}"')
        return NodeOutput(self.id, name)

    def __getitem__(self, name: str) -> NodeOutput:
        return self.output(name)


class Workflow:
    """A workflow of task nodes.

    Example::

        wf = Workflow("double_twice", "v1", inputs={"n": int}, outputs={"out": int})
        a = wf.add_node("a", double, n=wf.input("n"))
        b = wf.add_node("b", double, n=a.output("o0"))
        wf.set_output("out", b.output("o0"))
    """

    resource_type = "WORKFLOW"

    def __init__(self, name: str, version: str, inputs: Optional[Mapping[str, TypeLike]] = None,
                 outputs: Optional[Mapping[str, TypeLike]] = None, project: Optional[str] = None,
                 domain: Optional[str] = None) -> None:
        self.name = name
        self.version = version
        self.interface = Interface.of(inputs, outputs)
        self.nodes: List[Node] = []
        self.output_bindings: Dict[str, Any] = {}
        self.project = project
        self.domain = domain

    def __repr__(self) -> str:
        return f"Workflow({self.name!r}, {self.version!r})"

    def id_in(self, project: str, domain: str) -> Identifier:
        return Identifier("WORKFLOW", self.project or project, self.domain or domain, self.name, self.version)

    def input(self, name: str) -> WorkflowInput:
        if name not in self.interface.inputs:
            raise InvalidInput(f'workflow {self.name} has no input "{name}"')
        return WorkflowInput(name)

    def add_node(self, node_id: str, task: Union[RawContainerTask, FlyteTask], **bindings: Any) -> Node:
        """Adds a node calling `task`; each keyword binds a task input to a WorkflowInput, a
        NodeOutput or a constant Python value."""
        node = Node(node_id, task, bindings)
        self.nodes.append(node)
        return node

    def set_output(self, name: str, source: Any) -> None:
        """Binds workflow output `name` to a NodeOutput (or a constant)."""
        self.output_bindings[name] = source

    def tasks(self) -> List[Union[RawContainerTask, FlyteTask]]:
        seen: Dict[int, Union[RawContainerTask, FlyteTask]] = {}
        for n in self.nodes:
            seen.setdefault(id(n.task), n.task)
        return list(seen.values())

    def _build(self, project: str, domain: str) -> Any:
        """The C ``flyte_workflow *`` (freed with the returned cdata)."""
        cid, keep = self.id_in(project, domain)._to_c()
        out = ffi.new("flyte_workflow **")
        e = ErrorSlot()
        e.check(lib.flyte_workflow_new(out, cid, self.interface._to_c(), e.ptr), f"building workflow {self.name}")
        wf = ffi.gc(out[0], lib.flyte_workflow_free)
        built: Dict[int, Any] = {}
        for node in self.nodes:
            t = node.task
            if id(t) not in built:
                built[id(t)] = t._build(project, domain) if isinstance(t, RawContainerTask) else t._c_task()
            arr, keep_b = self._bindings(node.bindings, t.interface.inputs, f"node {node.id}")
            e.check(lib.flyte_workflow_add_task_node(wf, node.id.encode(), built[id(t)], arr, len(node.bindings),
                                                     e.ptr), f"workflow {self.name}: node {node.id}")
            del keep_b
        for name, source in self.output_bindings.items():
            arr, keep_b = self._bindings({name: source}, self.interface.outputs, "workflow output")
            e.check(lib.flyte_workflow_bind_output(wf, arr, e.ptr), f'workflow {self.name}: output "{name}"')
            del keep_b
        del keep
        return wf

    @staticmethod
    def _bindings(bindings: Mapping[str, Any], types: Mapping[str, FlyteType], where: str) -> Tuple[Any, List[Any]]:
        arr = ffi.new("flyte_binding[]", max(len(bindings), 1))
        keep: List[Any] = [arr]
        for i, (name, src) in enumerate(bindings.items()):
            cname = ffi.new("char[]", name.encode())
            keep.append(cname)
            arr[i].name = cname
            if isinstance(src, (WorkflowInput, NodeOutput)):
                node = ffi.new("char[]", src.node_id.encode()) if isinstance(src, NodeOutput) else ffi.NULL
                var = ffi.new("char[]", src.name.encode())
                keep += [node, var]
                arr[i].from_node, arr[i].from_var, arr[i].value = node, var, ffi.NULL
            else:
                lit = to_literal(src, types.get(name), f'{where} input "{name}"')
                keep.append(lit)
                arr[i].from_node, arr[i].from_var, arr[i].value = ffi.NULL, ffi.NULL, lit
        return arr, keep


class LaunchPlan:
    """A launch plan of a :class:`Workflow`, with default inputs (the caller may override them)
    and fixed inputs (the caller may not). Values are Python values typed by the workflow."""

    resource_type = "LAUNCH_PLAN"

    def __init__(self, name: str, version: str, workflow: Workflow,
                 default_inputs: Optional[Mapping[str, Any]] = None,
                 fixed_inputs: Optional[Mapping[str, Any]] = None, project: Optional[str] = None,
                 domain: Optional[str] = None) -> None:
        self.name = name
        self.version = version
        self.workflow = workflow
        self.default_inputs = dict(default_inputs or {})
        self.fixed_inputs = dict(fixed_inputs or {})
        self.project = project
        self.domain = domain

    def __repr__(self) -> str:
        return f"LaunchPlan({self.name!r}, {self.version!r})"

    @property
    def interface(self) -> Interface:
        return self.workflow.interface

    def id_in(self, project: str, domain: str) -> Identifier:
        return Identifier("LAUNCH_PLAN", self.project or project, self.domain or domain, self.name, self.version)

    def _build(self, project: str, domain: str, wf: Any) -> Any:
        """The C ``flyte_launch_plan *`` for the built workflow `wf`."""
        cid, keep = self.id_in(project, domain)._to_c()
        out = ffi.new("flyte_launch_plan **")
        e = ErrorSlot()
        e.check(lib.flyte_launch_plan_new(out, cid, wf, e.ptr), f"building launch plan {self.name}")
        lp = ffi.gc(out[0], lib.flyte_launch_plan_free)
        types = self.workflow.interface.inputs
        for values, fn, what in ((self.default_inputs, lib.flyte_launch_plan_set_default, "default"),
                                 (self.fixed_inputs, lib.flyte_launch_plan_set_fixed, "fixed input")):
            for name, value in values.items():
                lit = to_literal(value, types.get(name), f'launch plan {self.name} {what} "{name}"')
                e.check(fn(lp, name.encode(), lit, e.ptr), f'launch plan {self.name}: {what} "{name}"')
        del keep
        return lp


Entity = Union[FlyteEntity, ReferenceEntity, RawContainerTask, Workflow, LaunchPlan]
"""Anything ``FlyteRemote.execute`` accepts."""
