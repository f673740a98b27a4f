"""The binding's foundations: the hand-written cdef against the real headers, library lookup,
the minimum version check, and the exception hierarchy."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from frtest import PACKAGE_ROOT, REPO, have_compiler

import flyteremote as fr
from flyteremote import _ffi
from flyteremote.errors import ErrorSlot, error_for

INCLUDE = os.path.join(REPO, "include")


def _cdef_check_source() -> str:
    """C source that includes the real headers, then repeats the cdef's declarations: a
    function or typedef whose type differs from the header's is a "conflicting types"
    error, and static assertions pin every enum value and every struct field's offset and
    size as cffi computed them from the cdef."""
    import re

    ffi, lib = _ffi.ffi, _ffi.lib
    text = re.sub(r"/\*.*?\*/", "", _ffi.CDEF, flags=re.S)
    blocks = re.findall(r"typedef\s+(struct|enum)\s*\{.*?\}\s*(\w+)\s*;", text, flags=re.S)
    text = re.sub(r"typedef\s+(struct|enum)\s*\{.*?\}\s*\w+\s*;", "", text, flags=re.S)
    lines = ["#include <stddef.h>", "#include <flyte/flyte.h>"]
    lines += [stmt.strip() + ";" for stmt in text.split(";") if stmt.strip()]
    for kind, name in blocks:
        t = ffi.typeof(name)
        if kind == "enum":
            lines += [f'_Static_assert({n} == {v}, "{n}");' for v, n in t.elements.items()]
        else:
            lines.append(f'_Static_assert(sizeof({name}) == {ffi.sizeof(name)}, "sizeof {name}");')
            for fname, field in t.fields:
                lines.append(f'_Static_assert(offsetof({name}, {fname}) == {field.offset}, "{name}.{fname}");')
    assert lib  # the cdef was loaded against the real library too
    return "\n".join(lines) + "\n"


@pytest.mark.skipif(not have_compiler(), reason="needs a C compiler")
def test_cdef_matches_the_headers(tmp_path):
    src = tmp_path / "cdef_check.c"
    src.write_text(_cdef_check_source())
    r = subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-fsyntax-only", "-Werror", f"-I{INCLUDE}", str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]


@pytest.mark.skipif(not have_compiler(), reason="needs a C compiler")
@pytest.mark.parametrize("old,new", [
    ("    int max_attempts;\n    long retry_initial_ms;", "    long retry_initial_ms;\n    int max_attempts;"),
    ("FLYTE_ETYPE = -11", "FLYTE_ETYPE = -12"),
    ("int flyte_literal_new_float(flyte_literal **out, double value);",
     "int flyte_literal_new_float(flyte_literal **out, float value);"),
    ("const flyte_literal_type *flyte_literal_type_element(const flyte_literal_type *type);",
     "const flyte_literal_type *flyte_literal_type_element(flyte_literal_type *type);"),
])
def test_cdef_check_catches_drift(tmp_path, monkeypatch, old, new):
    """The check above fails for each kind of mismatch (struct layout, enum value, argument
    type, qualifier)."""
    import cffi

    bad = _ffi.CDEF.replace(old, new)
    assert bad != _ffi.CDEF
    ffi = cffi.FFI()
    ffi.cdef(bad)
    monkeypatch.setattr(_ffi, "CDEF", bad)
    monkeypatch.setattr(_ffi, "ffi", ffi)
    src = tmp_path / "bad.c"
    src.write_text(_cdef_check_source())
    r = subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-fsyntax-only", "-Werror", f"-I{INCLUDE}", str(src)],
                       capture_output=True, text=True)
    assert r.returncode != 0


def test_every_declared_function_exists_in_the_headers():
    """Cheap drift check that needs no compiler: every function of the cdef is declared in a
    public header (so the binding never reaches for an internal symbol)."""
    import re

    headers = ""
    for name in os.listdir(os.path.join(INCLUDE, "flyte")):
        with open(os.path.join(INCLUDE, "flyte", name)) as f:
            headers += f.read()
    declared = set(re.findall(r"FLYTE_EXTERN[^;(]*?\b(flyte_\w+)\s*\(", headers))
    used = set(re.findall(r"\b(flyte_\w+)\s*\(", re.sub(r"typedef[^;]*;", "", _ffi.CDEF)))
    assert used and used <= declared, sorted(used - declared)


def test_macro_values_match_the_headers():
    with open(os.path.join(INCLUDE, "flyte", "cache_key.h")) as f:
        assert f"#define FLYTE_ARTIFACT_TAG_LEN {_ffi.FLYTE_ARTIFACT_TAG_LEN}" in f.read()
    for header, macro in (("client.h", "FLYTE_CLIENT_OPTIONS_VERSION"),
                          ("execution.h", "FLYTE_EXECUTE_OPTIONS_VERSION"),
                          ("cache_config.h", "FLYTE_CACHE_OPTIONS_VERSION")):
        with open(os.path.join(INCLUDE, "flyte", header)) as f:
            assert f"#define {macro} {getattr(_ffi, macro)}" in f.read()


def test_version():
    assert fr.C_VERSION == "0.1.0" or fr.C_VERSION >= "0.1.0"
    assert _ffi.lib.flyte_version_number() >= fr.MIN_C_VERSION


def _import_with(lib_path: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, FLYTEREMOTE_LIB=lib_path, PYTHONPATH=PACKAGE_ROOT)
    return subprocess.run([sys.executable, "-c", "import flyteremote"], env=env, capture_output=True, text=True,
                          timeout=60)


def test_missing_library_is_a_clear_import_error(tmp_path):
    r = _import_with(str(tmp_path / "nope.so"))
    assert r.returncode != 0
    assert "cannot load the C library libflyteremote.so" in r.stderr and "nope.so" in r.stderr


@pytest.mark.skipif(not have_compiler(), reason="needs a C compiler")
def test_too_old_library_is_refused(tmp_path):
    src = tmp_path / "old.c"
    src.write_text(textwrap.dedent("""
        const char *flyte_version(void) { return "0.0.9"; }
        int flyte_version_number(void) { return 9; }
    """))
    so = tmp_path / "libflyteremote.so"
    subprocess.run([os.environ.get("CC", "cc"), "-shared", "-fPIC", "-o", str(so), str(src)], check=True)
    r = _import_with(str(tmp_path))  # a directory holding libflyteremote.so
    assert r.returncode != 0
    assert "the C library is version 0.0.9, this package needs 0.1.0 or newer" in r.stderr


def test_library_found_through_a_directory():
    r = _import_with(os.path.dirname(os.environ["FLYTEREMOTE_LIB"]))
    assert r.returncode == 0, r.stderr


# ---- errors ----

@pytest.mark.parametrize("code,cls,builtin", [
    (-4, fr.NotFound, LookupError), (-5, fr.AlreadyExists, None), (-3, fr.InvalidInput, ValueError),
    (-11, fr.InvalidInput, ValueError), (-6, fr.AuthError, None), (-7, fr.Timeout, TimeoutError),
    (-8, fr.Unavailable, None), (-9, fr.FlyteRemoteError, None), (-1, fr.FlyteRemoteError, None),
])
def test_error_codes_map_to_exceptions(code, cls, builtin):
    e = error_for(code, None, "what happened")
    assert type(e) is cls and isinstance(e, fr.FlyteRemoteError)
    assert e.code == code and e.message == "what happened" and str(e) == "what happened"
    if builtin:
        assert isinstance(e, builtin)


def test_error_slot_carries_the_c_error_detail():
    lib, ffi = _ffi.lib, _ffi.ffi
    slot = ErrorSlot()
    out = ffi.new("flyte_literal **")
    rc = lib.flyte_literal_new_generic_json(out, b"[1, 2]", slot.ptr)
    with pytest.raises(fr.InvalidInput) as e:
        slot.check(rc, "building")
    assert e.value.code == lib.FLYTE_EINVALID and e.value.code_name == "FLYTE_EINVALID"
    assert e.value.message and e.value.http_status == 0 and e.value.grpc_code == -1 and not e.value.retryable
    assert slot.ptr[0] == ffi.NULL  # freed
