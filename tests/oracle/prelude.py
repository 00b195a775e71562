"""prelude.py - what a .tfg script sees when it runs under real TensorFlow.

The oracle (tfg_oracle.py) runs a .tfg file as Python under
tensorflow.compat.v1 with v2 behaviour disabled.  This module supplies the
differences between the tfg language and the TensorFlow that is installed:

* `tf` is a proxy module named 'tensorflow' that resolves every name of
  tensorflow.compat.v1 and adds the TF 1.x names TF 2 dropped: tf.sub,
  tf.mul, tf.neg (tf.div and tf.initialize_all_variables still exist in
  compat.v1, with TF 1 semantics: div is RealDiv for floats, floor division
  for integers).  `tf.compat.v1` is the proxy itself.  An unknown attribute
  raises AttributeError("module 'tensorflow' has no attribute 'X'"), the
  wording tfg uses.
* The `tf.` prefix is optional in .tfg, so script_globals() also puts every
  public name of the proxy in the script's globals, except names Python's
  builtins already have (range, print, abs, pow, round, bool, tuple, slice,
  complex keep their Python meaning, as in tfg; write tf.range for the op).
* Sessions: tf.Session and tf.InteractiveSession are subclasses that use the
  options of the command line being emulated (--soft-placement,
  --log-placement) and are remembered so the oracle can close them.
* `import tensorflow as tf` / `import tensorflow.compat.v1 as tf` bind the
  proxy, `import numpy as np` binds numpy; any other import is refused, as
  tfg refuses it.
* transform() rewrites Python 2 print statements (`print x`) to calls
  (`print(x)`) keeping every column of the line where it can.
"""

import builtins
import io
import tokenize
import types

import numpy as np
import tensorflow.compat.v1 as _v1

_v1.disable_v2_behavior()

# Options of the emulated command line; tfg_oracle.py sets them before a run.
OPTIONS = {"soft_placement": False, "log_placement": False, "threads": 0}
SESSIONS = []


def session_config():
    """The ConfigProto the emulated command line asks for."""
    cfg = _v1.ConfigProto(allow_soft_placement=OPTIONS["soft_placement"],
                          log_device_placement=OPTIONS["log_placement"])
    if OPTIONS["threads"]:
        cfg.intra_op_parallelism_threads = OPTIONS["threads"]
        cfg.inter_op_parallelism_threads = OPTIONS["threads"]
    return cfg


class Session(_v1.Session):
    """tf.Session with the command line's placement options."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config if config is not None else session_config())
        SESSIONS.append(self)


class InteractiveSession(_v1.InteractiveSession):
    """tf.InteractiveSession with the command line's placement options."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config if config is not None else session_config())
        SESSIONS.append(self)


def close_sessions():
    """Closes every session a script opened, newest first (an
    InteractiveSession leaves default-session contexts that must be popped
    before the oracle leaves its own graph context)."""
    while SESSIONS:
        s = SESSIONS.pop()
        try:
            s.close()
        except Exception:  # already closed, or broken by the script
            pass


class _TensorFlow(types.ModuleType):
    """The `tf` a script sees: compat.v1 plus the TF 1.x aliases."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return getattr(_v1, name)
        except AttributeError:
            raise AttributeError(f"module 'tensorflow' has no attribute '{name}'") from None

    def __dir__(self):
        return sorted(set(dir(_v1)) | set(self.__dict__))


tf = _TensorFlow("tensorflow")
ALIASES = {
    "sub": _v1.subtract,
    "mul": _v1.multiply,
    "neg": _v1.negative,
    "div": _v1.div,
    "initialize_all_variables": _v1.initialize_all_variables,
    "Session": Session,
    "InteractiveSession": InteractiveSession,
}
for _name, _value in ALIASES.items():
    setattr(tf, _name, _value)
tf.compat = types.SimpleNamespace(v1=tf)


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    """__import__ for scripts: `tensorflow` (and its dotted names) is the proxy;
    anything else goes to Python (numpy's C code imports its own modules
    through the running frame's __import__).  check_imports() has already
    refused the imports tfg refuses."""
    if (name == "tensorflow" or name.startswith("tensorflow.")) and not fromlist:
        return tf
    return builtins.__import__(name, globals, locals, fromlist, level)


def check_imports(tree):
    """Raises ImportError, located at the statement, for imports tfg refuses:
    anything but `import tensorflow[.compat.v1] as tf` and `import numpy as np`."""
    import ast
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            err = ImportError("'from ... import' is not supported in a .tfg script; "
                              "use 'import tensorflow as tf'")
        elif isinstance(node, ast.Import):
            bad = [a.name for a in node.names
                   if not (a.name in ("tensorflow", "numpy") or a.name.startswith("tensorflow."))]
            if not bad:
                continue
            err = ImportError(f"import of module '{bad[0]}' is not allowed in a .tfg script "
                              "(only tensorflow and numpy)")
        else:
            continue
        err.lineno, err.col = node.lineno, node.col_offset + 1
        raise err


def script_globals():
    """A fresh globals dict for one script run."""
    bi = dict(vars(builtins))
    bi["__import__"] = _import
    g = {"__name__": "__tfg__", "__builtins__": bi}
    for name in dir(tf):
        if name.startswith("_") or name in bi:
            continue
        try:
            g[name] = getattr(tf, name)
        except AttributeError:
            continue
    g["tf"] = tf
    g["np"] = np
    return g


def prelude_names():
    """Names script_globals() defines before the script runs, with their values
    (so the oracle can tell a script variable from a prelude name)."""
    return script_globals()


def transform(src):
    """Rewrites Python 2 print statements to print() calls.

    `print x` becomes `print(x)` (the space after `print` becomes the
    parenthesis, so columns stay put), a bare `print` becomes `print()`;
    a trailing comment stays outside the parentheses.  Tokenizing finds the
    statements' ends; when the file does not tokenize (a syntax-error test),
    the lines are left for Python's compiler to reject as they are."""
    lines = src.splitlines(keepends=True)
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(src).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return src
    edits = []  # (row, col_open, end_row, end_col)
    at_start = True
    for i, t in enumerate(toks):
        if t.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.NL,
                      tokenize.COMMENT, tokenize.ENCODING):
            if t.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                at_start = True
            continue
        if at_start and t.type == tokenize.NAME and t.string == "print":
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and nxt.type in (tokenize.NEWLINE, tokenize.COMMENT,
                                                tokenize.ENDMARKER):
                edits.append(("bare", t.end[0], t.end[1]))
            elif nxt is not None and not (nxt.type == tokenize.OP and nxt.string in "(=.[,"):
                # find the end of the logical line (the last token before NEWLINE/COMMENT)
                j = i + 1
                last = nxt
                while j < len(toks) and toks[j].type not in (tokenize.NEWLINE, tokenize.ENDMARKER):
                    if toks[j].type not in (tokenize.COMMENT, tokenize.NL):
                        last = toks[j]
                    j += 1
                edits.append(("call", t.end[0], t.end[1], nxt.start, last.end))
        at_start = False
    # apply from the end so earlier positions stay valid
    for e in reversed(edits):
        if e[0] == "bare":
            row, col = e[1] - 1, e[2]
            lines[row] = lines[row][:col] + "()" + lines[row][col:]
            continue
        _, prow, pcol, start, end = e
        erow, ecol = end[0] - 1, end[1]
        lines[erow] = lines[erow][:ecol] + ")" + lines[erow][ecol:]
        row = prow - 1
        srow, scol = start[0] - 1, start[1]
        if srow == row and scol > pcol:
            # replace the first blank after print with "(" to keep columns
            lines[row] = lines[row][:pcol] + "(" + lines[row][pcol + 1:]
        else:
            lines[row] = lines[row][:pcol] + "(" + lines[row][pcol:]
    return "".join(lines)
