"""Exceptions: one per failure a caller can act on, all carrying the C SDK's error detail.

=================  ===================================  ===========================
exception          C code                               also a
=================  ===================================  ===========================
NotFound           FLYTE_ENOTFOUND                      LookupError
AlreadyExists      FLYTE_EEXISTS
InvalidInput       FLYTE_EINVALID, FLYTE_ETYPE          ValueError
AuthError          FLYTE_EAUTH
Timeout            FLYTE_ETIMEOUT                       TimeoutError
Unavailable        FLYTE_EUNAVAILABLE
FlyteRemoteError   anything else (ENOMEM, EIO, EUSER)
=================  ===================================  ===========================

An exception raised by a Python callback (a hash function, a cache policy) is not wrapped:
it propagates from the call that ran the callback as that same exception.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Type

from ._ffi import ffi, lib, pystr


class FlyteRemoteError(Exception):
    """A failed flyteremote call.

    Attributes:
        message: what went wrong, as the C SDK (or the server) says it.
        code: the C return code, a negative ``FLYTE_E*`` number.
        code_name: its name, e.g. ``"FLYTE_ENOTFOUND"``.
        http_status: HTTP status of the response that caused it, 0 when none.
        grpc_code: gRPC status code the server reported (e.g. 5 NOT_FOUND), -1 when none.
        retryable: True when repeating the same call may succeed.
    """

    def __init__(self, message: str, code: int = -1, http_status: int = 0, grpc_code: int = -1,
                 retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.grpc_code = grpc_code
        self.retryable = retryable

    @property
    def code_name(self) -> str:
        return pystr(lib.flyte_error_code_name(self.code)) or "FLYTE_ERROR"

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code_name})"


class NotFound(FlyteRemoteError, LookupError):
    """The entity, execution or value does not exist."""


class AlreadyExists(FlyteRemoteError):
    """Registered already with a different definition (register a new version)."""


class InvalidInput(FlyteRemoteError, ValueError):
    """A bad argument or input value: the message names what was wrong."""


class AuthError(FlyteRemoteError):
    """Not authenticated, or not allowed."""


class Timeout(FlyteRemoteError, TimeoutError):
    """A deadline passed (e.g. ``wait(timeout=...)``)."""


class Unavailable(FlyteRemoteError):
    """The server or the network is unavailable; a retry may help."""


_BY_CODE: Dict[int, Type[FlyteRemoteError]] = {
    lib.FLYTE_ENOTFOUND: NotFound,
    lib.FLYTE_EEXISTS: AlreadyExists,
    lib.FLYTE_EINVALID: InvalidInput,
    lib.FLYTE_ETYPE: InvalidInput,
    lib.FLYTE_EAUTH: AuthError,
    lib.FLYTE_ETIMEOUT: Timeout,
    lib.FLYTE_EUNAVAILABLE: Unavailable,
}


def error_for(code: int, err: Any = None, fallback: Optional[str] = None) -> FlyteRemoteError:
    """The exception for a C return code and an optional ``flyte_error *`` (not freed here)."""
    cls = _BY_CODE.get(code, FlyteRemoteError)
    if err is not None and err != ffi.NULL:
        return cls(pystr(lib.flyte_error_message(err)) or "", code=lib.flyte_error_code_of(err),
                   http_status=lib.flyte_error_http_status(err), grpc_code=lib.flyte_error_grpc_code(err),
                   retryable=bool(lib.flyte_error_retryable(err)))
    name = pystr(lib.flyte_error_code_name(code)) or str(code)
    return cls(fallback or name, code=code)


class ErrorSlot:
    """A ``flyte_error **`` for one C call, turned into an exception by :meth:`check`.

    Usage::

        e = ErrorSlot()
        e.check(lib.flyte_x(..., e.ptr), "what was being done")
    """

    __slots__ = ("ptr", "callback_error")

    def __init__(self) -> None:
        self.ptr = ffi.new("flyte_error **")
        self.callback_error: Optional[BaseException] = None

    def check(self, rc: int, what: Optional[str] = None) -> None:
        """Raises when rc is non-zero (always frees the error). A Python callback's exception,
        if one was recorded, wins over the C error it caused."""
        err = self.ptr[0]
        try:
            if self.callback_error is not None:
                exc, self.callback_error = self.callback_error, None
                raise exc
            if rc:
                raise error_for(rc, err, what)
        finally:
            if err != ffi.NULL:
                lib.flyte_error_free(err)
                self.ptr[0] = ffi.NULL


def check(rc: int, what: str) -> None:
    """Raises for a non-zero code of a call that has no ``flyte_error **`` parameter."""
    if rc:
        raise error_for(rc, None, f"{what}: {pystr(lib.flyte_error_code_name(rc))}")
