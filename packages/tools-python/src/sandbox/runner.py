# Runs once in a fresh Pyodide interpreter, before any model-written code.
# Layer 1 of the sandbox (friendly errors); the JavaScript side of the worker is the hard boundary.
import ast
import builtins
import json
import linecache
import os
import sys
import traceback

_BLOCKED_MODULES = (
    "js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "pyodide_http",
    "micropip", "ctypes", "_ctypes", "_testcapi", "_testinternalcapi",
)


def _is_blocked(name):
    return any(name == b or name.startswith(b + ".") for b in _BLOCKED_MODULES)


class _BlockedImportFinder:
    """First on sys.meta_path: refuses modules that reach the JavaScript host."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if _is_blocked(name):
            raise ImportError(f"import of {name!r} is disabled in this sandbox (no access to the host)")
        return None


def _disabled(name):
    def refuse(*_args, **_kwargs):
        raise PermissionError(f"{name} is disabled in this sandbox (no processes)")

    refuse.__name__ = name.rsplit(".", 1)[-1]
    return refuse


for _name in ("system", "popen", "fork", "forkpty", "kill", "killpg", "posix_spawn", "posix_spawnp",
              "execv", "execve", "execl", "execle", "execlp", "execlpe", "execvp", "execvpe",
              "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe"):
    if hasattr(os, _name):
        setattr(os, _name, _disabled(f"os.{_name}"))
import posix as _posix  # noqa: E402

for _name in ("system", "fork", "kill", "posix_spawn", "posix_spawnp", "execv", "execve"):
    if hasattr(_posix, _name):
        setattr(_posix, _name, _disabled(f"posix.{_name}"))

for _mod in list(sys.modules):
    if _is_blocked(_mod):
        del sys.modules[_mod]
sys.meta_path.insert(0, _BlockedImportFinder)
# Pyodide's own finder serves JavaScript modules (`registerJsModule`): drop it.
sys.meta_path[:] = [f for f in sys.meta_path
                    if f is _BlockedImportFinder or not getattr(f, "__module__", "").startswith(("_pyodide", "pyodide"))]

_namespace = {"__name__": "__main__", "__builtins__": builtins}
_MAX_FRAMES = 8


def _clip(text, limit):
    if len(text) <= limit:
        return text, 0
    return text[:limit], len(text) - limit


def _clip_middle(text, limit):
    """Keeps both ends: a traceback's last line names the exception."""
    if len(text) <= limit:
        return text
    head = limit // 3
    tail = limit - head
    return f"{text[:head]}\n[... {len(text) - limit} characters of traceback truncated ...]\n{text[-tail:]}"


def _compact_traceback(exc, limit):
    """The user's frames only (the runner's own frames are dropped), at most _MAX_FRAMES of them."""
    tb = exc.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith("<cell "):
        tb = tb.tb_next
    lines = ["Traceback (most recent call last):\n"] if tb is not None else []
    if tb is not None:
        lines += traceback.format_list(traceback.extract_tb(tb)[-_MAX_FRAMES:])
    lines += traceback.format_exception_only(type(exc), exc)
    return _clip_middle("".join(lines).rstrip("\n"), limit)


def run_cell(source, cell, limit):
    """Executes one cell; the value of a trailing expression is returned as its repr."""
    filename = f"<cell {cell}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    result = {"value": None, "valueDropped": 0, "error": None}
    try:
        tree = ast.parse(source, filename, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), _namespace)
        if last is not None:
            value = eval(compile(last, filename, "eval"), _namespace)
            if value is not None:
                _namespace["_"] = value
                result["value"], result["valueDropped"] = _clip(repr(value), limit)
    except BaseException as exc:  # noqa: BLE001 - every failure of model code becomes an observation
        result["error"] = {"type": type(exc).__name__, "traceback": _compact_traceback(exc, limit)}
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
    return json.dumps(result)


def reset_namespace():
    """Forgets the user's variables, functions and imports bound in the namespace (for reuse by another trajectory)."""
    _namespace.clear()
    _namespace.update({"__name__": "__main__", "__builtins__": builtins})
    for name in [k for k in linecache.cache if k.startswith("<cell ")]:
        del linecache.cache[name]


def self_check():
    """Proves the Python-side blocks hold; the worker refuses to serve when this fails."""
    failures = []
    for name in ("js", "pyodide_js", "pyodide.ffi", "pyodide.code", "_pyodide", "ctypes"):
        try:
            __import__(name)
            failures.append(f"import {name} succeeded")
        except ImportError:
            pass
    try:
        os.system("true")
        failures.append("os.system succeeded")
    except PermissionError:
        pass
    return json.dumps(failures)
