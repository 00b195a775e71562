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
* tfg's data builtins (src/api_data.c), defined here the same way:
  read_data_sets (TF 1.x input_data.read_data_sets over local MNIST-format
  idx files, with tfg's splitmix64 + Fisher-Yates shuffles, so a seed gives
  the very batches tfg gives) and load(path, key=None, dtype=None); they are
  tf.NAME, bare NAME, tfg.NAME (`import tfg`) and
  tensorflow.examples.tutorials.mnist.input_data.read_data_sets.  The extra
  modules tfg lets a script import (time, sys, os, os.path, math, tfg) are
  allowed here too; sys.argv is the script and its arguments (SCRIPT_ARGV).
"""

import builtins
import gzip
import io
import os
import re
import struct
import sys
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


# ---- tfg's data builtins (src/api_data.c), the same algorithms ----------------------------

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_STREAM = 0xD1B54A32D192ED03


def _shuffle(order, state):
    """Fisher-Yates over the int64 array `order` in place, as tfg: for i from
    n-1 down to 1, swap i with splitmix64() % (i+1).  Returns the new state."""
    n = len(order)
    if n < 2:
        return state
    # splitmix64 is counter based: draw t (1-based) mixes state + t * GOLDEN
    z = np.uint64(state) + np.arange(1, n, dtype=np.uint64) * np.uint64(_GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    js = (z % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
    o = order.tolist()
    for t, i in enumerate(range(n - 1, 0, -1)):
        j = js[t]
        o[i], o[j] = o[j], o[i]
    order[:] = o
    return (state + (n - 1) * _GOLDEN) & _MASK64


class DataSet:
    """TF 1.x's mnist DataSet with tfg's shuffles; images kept as uint8."""

    def __init__(self, images, labels, first, n, as_float, reshape, one_hot, seed, stream):
        """The split images[first:first+n] (None: fake data), its shuffle stream."""
        self._img, self._lab, self._first, self._n = images, labels, first, n
        self._as_float, self._reshape, self.one_hot = as_float, reshape, one_hot
        self._fake = images is None
        self._order = np.arange(n, dtype=np.int64)
        self._state = (seed + _STREAM * (stream + 1)) & _MASK64
        self._epochs_completed = 0
        self._index_in_epoch = 0

    def _images_of(self, idx):
        """The images of split rows idx: float32 x * float32(1/255), or uint8."""
        x = self._img[self._first + idx]
        k, rows, cols = x.shape
        x = x.reshape(k, rows * cols) if self._reshape else x.reshape(k, rows, cols, 1)
        if self._as_float:
            x = x.astype(np.float32) * np.float32(1.0 / 255.0)
        return x

    def _labels_of(self, idx):
        """The labels of split rows idx: uint8, or float64 one-hot rows."""
        y = self._lab[self._first + idx]
        if not self.one_hot:
            return y
        out = np.zeros((len(y), 10))
        ok = y < 10
        out[np.arange(len(y))[ok], y[ok]] = 1
        return out

    @property
    def images(self):
        """The whole split in its current order."""
        return [] if self._fake else self._images_of(self._order)

    @property
    def labels(self):
        """The split's labels in its current order."""
        return [] if self._fake else self._labels_of(self._order)

    @property
    def num_examples(self):
        """Number of examples in the split."""
        return self._n

    @property
    def epochs_completed(self):
        """Epochs next_batch has finished."""
        return self._epochs_completed

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """Return the next `batch_size` examples from this data set."""
        batch_size = int(batch_size)
        if batch_size < 0 or batch_size > 1 << 30:
            raise ValueError("batch_size must be from 0 to 2**30, not %d" % batch_size)
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return [fake_image for _ in range(batch_size)], [fake_label for _ in range(batch_size)]
        if self._fake:
            raise ValueError("this DataSet holds fake data: call next_batch(batch_size, fake_data=True)")
        start, n = self._index_in_epoch, self._n
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._state = _shuffle(self._order, self._state)
        if start + batch_size <= n:
            self._index_in_epoch += batch_size
            idx = self._order[start:start + batch_size]
        else:
            self._epochs_completed += 1
            rest = n - start
            rest_idx = self._order[start:n].copy()
            if shuffle:
                self._state = _shuffle(self._order, self._state)
            end = batch_size - rest
            self._index_in_epoch = end
            idx = np.concatenate((rest_idx, self._order[0:end]))
        return self._images_of(idx), self._labels_of(idx)


class Datasets:
    """read_data_sets' result: .train, .validation, .test."""

    def __init__(self, train, validation, test):
        """Keeps the three DataSets."""
        self.train, self.validation, self.test = train, validation, test


def _idx_file(train_dir, name):
    """train_dir/NAME.gz, else train_dir/NAME, as tfg looks them up."""
    sep = "" if train_dir.endswith("/") else "/"
    for p in (train_dir + sep + name + ".gz", train_dir + sep + name):
        if os.path.exists(p):
            return p
    raise FileNotFoundError("read_data_sets: no '%s%s%s.gz' (nor uncompressed): tfg reads MNIST-format "
                            "idx files from train_dir and downloads nothing" % (train_dir, sep, name))


def _read_idx(path):
    """An MNIST idx file (gzipped or not) as tfg reads it: ubyte stays uint8,
    int becomes int32, float float32, double float64."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    types_ = {0x08: (">u1", np.uint8), 0x09: (">i1", np.int32), 0x0B: (">i2", np.int32),
              0x0C: (">i4", np.int32), 0x0D: (">f4", np.float32), 0x0E: (">f8", np.float64)}
    if len(data) < 4 or data[0] or data[1] or data[2] not in types_:
        raise ValueError("'%s' is not an idx file" % path)
    nd = data[3]
    dims = struct.unpack(">%dI" % nd, data[4:4 + 4 * nd])
    src, dst = types_[data[2]]
    n = int(np.prod(dims)) if dims else 1
    body = data[4 + 4 * nd:]
    if len(body) < n * np.dtype(src).itemsize:
        raise ValueError("'%s' is truncated" % path)
    return np.frombuffer(body, src, n).reshape(dims).astype(dst)


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=_v1.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=None):
    """tfg's read_data_sets: TF 1.x input_data.read_data_sets on local files."""
    del source_url
    dtype = _v1.as_dtype(dtype).base_dtype
    if seed is None:
        seed = _v1.get_default_graph().seed
        seed = 0 if seed is None else seed
    if dtype not in (_v1.uint8, _v1.float32):
        raise TypeError("Invalid image dtype %r, expected uint8 or float32" % dtype)
    opts = dict(as_float=dtype == _v1.float32, reshape=reshape, one_hot=one_hot, seed=int(seed))
    if fake_data:
        return Datasets(*[DataSet(None, None, 0, 10000, stream=i, **opts) for i in range(3)])
    names = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte")
    paths = [_idx_file(train_dir, n) for n in names]
    arrays = []
    for p in paths:
        print("Extracting", p)
        arrays.append(_read_idx(p))
    tri, trl, tei, tel = arrays
    if not 0 <= validation_size <= len(tri):
        raise ValueError("Validation size should be between 0 and {}. Received: {}."
                         .format(len(tri), validation_size))
    return Datasets(DataSet(tri, trl, validation_size, len(tri) - validation_size, stream=0, **opts),
                    DataSet(tri, trl, 0, validation_size, stream=1, **opts),
                    DataSet(tei, tel, 0, len(tei), stream=2, **opts))


def _read_csv(path):
    """A CSV of numbers as tfg reads it: float64, one row a line, one line = rank 1."""
    rows = []
    with open(path, encoding="utf-8-sig") as f:
        for ln in f:
            if ln.strip():
                rows.append([float(x) for x in ln.split(",")])
    if not rows:
        raise ValueError("'%s' holds no numbers" % path)
    if any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("'%s': rows of different lengths" % path)
    a = np.array(rows, dtype=np.float64)
    return a[0] if len(rows) == 1 else a


def _load_npz(path, key):
    """Member key (or the only member) of an .npz file."""
    with np.load(path, allow_pickle=False) as z:
        names = list(z.keys())
        if key is None:
            if len(names) != 1:
                raise ValueError("npz file '%s' has several arrays; name one as %s:KEY" % (path, path))
            key = names[0]
        if key.endswith(".npy"):
            key = key[:-4]
        if key not in names:
            raise KeyError("npz file '%s' has no array '%s'" % (path, key))
        return z[key]


def load(path, key=None, dtype=None):
    """tfg's load(): one .npy/.npz/.csv/idx file into a numpy array (by
    extension, else by the first bytes, as tfg's tfg_io_load)."""
    m = re.match(r"^(.*\.npz):(.+)$", path, re.I)
    if m and key is None:
        path, key = m.group(1), m.group(2)
    low = path.lower()
    if key is not None and not low.endswith(".npz"):
        raise ValueError("load: key= needs an .npz file, not '%s'" % path)
    if low.endswith(".npz"):
        a = _load_npz(path, key)
    elif low.endswith(".npy"):
        a = np.load(path, allow_pickle=False)
    elif low.endswith(".csv"):
        a = _read_csv(path)
    elif "idx" in os.path.basename(path).lower():
        a = _read_idx(path)
    else:
        with open(path, "rb") as f:
            head = f.read(6)
        if head.startswith(b"\x93NUMPY"):
            a = np.load(path, allow_pickle=False)
        elif head.startswith(b"PK"):
            a = _load_npz(path, None)
        elif head.startswith(b"\x1f\x8b") or head[:2] == b"\0\0":
            a = _read_idx(path)
        else:
            a = _read_csv(path)
    if dtype is not None:
        a = a.astype(_v1.as_dtype(dtype).as_numpy_dtype)
    return a


for _name, _value in (("read_data_sets", read_data_sets), ("load", load)):
    setattr(tf, _name, _value)

# `import tfg` and `from tensorflow.examples.tutorials.mnist import input_data`
tfg_module = types.ModuleType("tfg")
tfg_module.read_data_sets, tfg_module.load = read_data_sets, load
input_data = types.ModuleType("tensorflow.examples.tutorials.mnist.input_data")
input_data.read_data_sets = read_data_sets
mnist_examples = types.ModuleType("tensorflow.examples.tutorials.mnist")
mnist_examples.input_data = input_data
DATA_MODULES = {"tfg": tfg_module, "tensorflow.examples.tutorials.mnist": mnist_examples,
                "tensorflow.examples.tutorials.mnist.input_data": input_data}
# the other modules tfg lets a script import (Python's own)
EXTRA_MODULES = ("time", "sys", "os", "os.path", "math")
# sys.argv while a script runs: [FILE, ARGS...] (tfg run FILE ... -- ARGS...)
SCRIPT_ARGV = []


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    """__import__ for scripts: `tensorflow` (and its dotted names) is the proxy,
    tfg's own modules (DATA_MODULES) come from here; anything else goes to
    Python (numpy's C code imports its own modules through the running frame's
    __import__).  check_imports() has already refused the imports tfg refuses."""
    if name in DATA_MODULES:
        if fromlist or "." not in name:
            return DATA_MODULES[name]
        return tf
    if (name == "tensorflow" or name.startswith("tensorflow.")) and not fromlist:
        return tf
    if name == "tensorflow" and fromlist:
        return tf
    return builtins.__import__(name, globals, locals, fromlist, level)


def _allowed(name):
    """Modules tfg lets a script import."""
    return (name in ("tensorflow", "numpy", "__future__") or name.startswith("tensorflow.")
            or name in EXTRA_MODULES or name in DATA_MODULES)


def check_imports(tree):
    """Raises ImportError, located at the statement, for imports tfg refuses:
    anything but tensorflow[.compat.v1], numpy, tfg's data modules and the
    Python modules of EXTRA_MODULES."""
    import ast
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.module and node.level == 0 and _allowed(node.module):
                continue
            bad = node.module or "."
        elif isinstance(node, ast.Import):
            bad = [a.name for a in node.names if not _allowed(a.name)]
            if not bad:
                continue
            bad = bad[0]
        else:
            continue
        err = ImportError(f"No module named '{bad}' (tfg scripts may import only tensorflow, numpy "
                          "and the modules tfg(5) lists)")
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
