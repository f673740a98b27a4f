"""C callbacks into Python: hash functions, cache policies and the log sink.

Each trampoline is one ``ffi.callback`` made at import and alive for the whole process (so C
can never call freed code). The per-call Python state travels in ``void *payload`` as an
``ffi.new_handle``, which the caller keeps alive for the duration of the C call.

An exception raised by user code is caught here (it must not unwind through C), stored in
the call's :class:`~flyteremote.errors.ErrorSlot`, and reported to C as a failure (non-zero,
with the message through ``flyte_out_string_fail``). When the C call returns, the slot
re-raises that same exception object in the caller's thread.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, List, Mapping, Optional, Tuple

from ._ffi import ffi, lib, pystr
from .errors import ErrorSlot, check
from .types import CHasher, TypeHint
from .values import from_literal

logger = logging.getLogger("flyteremote")


class _HashCall:
    """What the hash trampoline needs for one input."""

    __slots__ = ("fn", "name", "value", "has_value", "slot")

    def __init__(self, fn: Callable[[Any], str], name: str, value: Any, has_value: bool, slot: ErrorSlot) -> None:
        self.fn = fn
        self.name = name
        self.value = value
        self.has_value = has_value
        self.slot = slot


def _fail(out: Any, slot: ErrorSlot, e: BaseException) -> int:
    if slot.callback_error is None:  # the first failure is the one to report
        slot.callback_error = e
    try:
        lib.flyte_out_string_fail(out, f"{type(e).__name__}: {e}".encode("utf-8", "replace").replace(b"\0", b"?"))
    except Exception:  # pragma: no cover - nothing more can be done from inside a callback
        pass
    return -1


def _set(out: Any, result: Any, what: str) -> int:
    if not isinstance(result, str):
        raise TypeError(f"{what} must return a str, got {type(result).__name__}")
    data = result.encode("utf-8")
    rc = lib.flyte_out_string_set(out, data, len(data))
    if rc:
        raise MemoryError(f"{what}: flyte_out_string_set failed ({rc})")
    return 0


def _hash(out: Any, literal: Any, payload: Any) -> int:
    call: _HashCall = ffi.from_handle(payload)
    try:
        # flytekit's HashMethod receives the Python value: the caller's own object when we
        # have it, else the literal read back (e.g. an input nested deeper).
        value = call.value if call.has_value else from_literal(literal)
        return _set(out, call.fn(value), f'the hash function of input "{call.name}"')
    except BaseException as e:  # noqa: B902 - KeyboardInterrupt too: re-raised after the C call
        return _fail(out, call.slot, e)


_hash_trampoline: Any = ffi.callback("int(flyte_out_string *, const flyte_literal *, void *)", _hash)


class _PolicyCall:
    __slots__ = ("fn", "slot")

    def __init__(self, fn: Callable[[str], str], slot: ErrorSlot) -> None:
        self.fn = fn
        self.slot = slot


def _policy(out: Any, salt: Any, payload: Any) -> int:
    call: _PolicyCall = ffi.from_handle(payload)
    try:
        fn = getattr(call.fn, "get_version", call.fn)
        return _set(out, fn(pystr(salt) or ""), "a cache policy")
    except BaseException as e:  # noqa: B902
        return _fail(out, call.slot, e)


_policy_trampoline: Any = ffi.callback("int(flyte_out_string *, const char *, void *)", _policy)

_LEVELS = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG}


def _log(level: int, message: Any, payload: Any) -> None:
    try:
        logger.log(_LEVELS.get(level, logging.DEBUG), "%s", pystr(message))
    except Exception:  # pragma: no cover - logging must never break a C call
        pass


log_trampoline: Any = ffi.callback("void(int, const char *, void *)", _log)


def c_log_level() -> int:
    """The most detailed C log level the "flyteremote" logger would show."""
    eff = logger.getEffectiveLevel()
    for c_level in (4, 3, 2):
        if eff <= _LEVELS[c_level]:
            return c_level
    return 1


def type_hints(hints: Optional[Mapping[str, Any]], values: Mapping[str, Any],
               slot: ErrorSlot) -> Tuple[Any, List[Any]]:
    """A ``flyte_type_hints *`` (freed with the returned cdata, or NULL when no hints) and the
    objects that must stay alive while C may call the hash functions."""
    if not hints:
        return ffi.NULL, []
    out = ffi.new("flyte_type_hints **")
    check(lib.flyte_type_hints_new(out), "creating type hints")
    h = ffi.gc(out[0], lib.flyte_type_hints_free)
    keep: List[Any] = []
    for name, raw in hints.items():
        hint = TypeHint.of(raw)
        ft = hint.flyte_type
        ctype = ft._to_c() if ft is not None else ffi.NULL
        keep.append(ctype)
        fn: Any = ffi.NULL
        payload: Any = ffi.NULL
        if isinstance(hint.hash, CHasher):
            fn = hint.hash.fn
        elif hint.hash is not None:
            if not callable(hint.hash):
                raise TypeError(f'type hint of "{name}": hash must be callable, got {hint.hash!r}')
            payload = ffi.new_handle(_HashCall(hint.hash, name, values.get(name), name in values, slot))
            keep.append(payload)
            fn = _hash_trampoline
        check(lib.flyte_type_hints_add(h, name.encode(), ctype, fn, payload), f'adding the type hint of "{name}"')
    return h, keep


def cache_policies(policies: Any, slot: ErrorSlot) -> Tuple[Any, int, List[Any]]:
    """A ``flyte_cache_policy[]`` for Python callables, its length, and what to keep alive."""
    policies = list(policies or ())
    if not policies:
        return ffi.NULL, 0, []
    arr = ffi.new("flyte_cache_policy[]", len(policies))
    keep: List[Any] = [arr]
    for i, p in enumerate(policies):
        if not callable(p) and not callable(getattr(p, "get_version", None)):
            raise TypeError(f"cache policy {i} is not callable: {p!r}")
        handle = ffi.new_handle(_PolicyCall(p, slot))
        keep.append(handle)
        arr[i].fn = _policy_trampoline
        arr[i].payload = handle
    return arr, len(policies), keep
