#!/usr/bin/env python3
"""tfg_oracle.py - run .tfg scripts under real TensorFlow, the test oracle of tfg.

Needs TensorFlow (tested with 2.21 + numpy 2.4, through tensorflow.compat.v1
with v2 behaviour disabled); the test suite itself does not: the outputs this
tool generates are committed.  Usage (from the repository root):

  tfg_oracle.py run FILE [--feed NAME=VALUE]... [--fetch A[,B]...]... [options]
      Emulates `tfg run`: executes the script, then with --fetch initialises the
      variables (or restores them from --state), runs the fetches once with the
      feeds and prints them as tfg does.  Options as tfg: --state FILE,
      --format text|json|npy, -o FILE, --seed N, --threads N, --device DEV,
      --soft-placement, --log-placement, -q, --repeat N (the fetches N times,
      the last values printed), --batch B (@file feeds give rows (i*B + k) mod N
      on run i), and `-- ARGS...` (the script's sys.argv[1:]).
      Exit status 0, 1 (error), 2 (usage).
  tfg_oracle.py gen [DIR|CASE.tfg]...     (default: tests/cli samples)
      Runs each case and writes NAME.out (and NAME.status for a failure).  A
      failing case with no NAME.err gets a draft one (location + TF's first
      message line) to edit down to the certain lines.
  tfg_oracle.py check [DIR|CASE.tfg]...   (default: tests/cli samples)
      Runs each case and compares: stdout with NAME.out (NAME.tol honoured),
      exit status with NAME.status, and for a failure that TF fails too, at the
      place the NAME.err location line names, with every message line of
      NAME.err inside TF's message.  Lists mismatches; exit 1 if any.
  tfg_oracle.py show CASE.tfg
      Runs one case and shows stdout, status, TF's error and its location.

Case conventions (shared with tests/cli/run.sh and the conformance runner):
NAME.tfg with NAME.args (extra `tfg run` arguments, shell syntax, one line),
NAME.out (stdout), NAME.status (exit status, default 0), NAME.err (lines that
must appear in stderr), NAME.tol (relative tolerance for numbers in NAME.out).
NAME.sh cases are tfg-only (they test the command line) and are skipped here.

NAME.err lines are of two kinds:
  * format lines - tfg's own framing, not checked against TF's text:
      a location line `NAME.tfg:LINE:COL: error:` (also `NAME.tfg:LINE:` or
      `NAME.tfg:`), checked against the place Python reports (the start of the
      call or name that failed: Python 3.11 column positions), and lines that
      start with `tfg:` (errors without a place in the file);
  * message lines - everything else: TensorFlow's (or Python's) wording, which
    must appear in TF's error message.  TF 2's "'{{node X}} = Op[...](...)'"
    is rewritten to TF 1's "'X' (op: 'Op')" first, the wording tfg uses.
Directives in the .tfg, as comments (ignored by tfg and Python alike):
  # oracle: skip REASON       the oracle does not run this case (tfg-only feature)
  # oracle: own-text REASON   the message lines are tfg's wording (or TF 1.x wording
                              TF 2.21 changed); the oracle checks only that TF fails
                              there too, and the location
"""

import ast
import contextlib
import gzip
import io
import os
import re
import shlex
import struct
import sys
import tempfile
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import warnings  # noqa: E402

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402


def _quiet_import():
    """Imports TensorFlow with file descriptor 2 closed to its start-up chatter."""
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import prelude
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return prelude


prelude = _quiet_import()
tf = prelude._v1

try:
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)
except ImportError:
    pass
tf.logging.set_verbosity(tf.logging.ERROR)

VERSION = "tfg 0.1.0 (oracle: TensorFlow %s, numpy %s)" % (tf.__version__, np.__version__)


class UsageError(Exception):
    """A command-line error: exit status 2."""


class CliError(Exception):
    """An error outside the script (data files, fetch names): exit status 1."""


class ErrInfo:
    """A failure: exit status, TF's whole message (normalised), its first
    meaningful line, and the place in the script (line, col) or None."""

    def __init__(self, status, text, summary, loc=None, kind=""):
        self.status, self.text, self.summary, self.loc, self.kind = status, text, summary, loc, kind


class Result:
    def __init__(self, stdout, stderr, status, err=None):
        self.stdout, self.stderr, self.status, self.err = stdout, stderr, status, err


# ---- TensorFlow's messages ------------------------------------------------------------

_TF2_NODE = re.compile(r"'\{\{node ([^}]+)\}\} = (\w+)(?:\[(?:[^\[\]]|\[[^\[\]]*\])*\])?\([^)]*\)'")


_TF2_DEVICE = re.compile(r"\{\{node [^}]+\}\} was explicitly assigned to (\S+) but available devices "
                         r"are \[[^\]]*\]\.")
_TF2_FEED = re.compile(r"Cannot feed value of shape (\([^)]*\)) for Tensor ([^\s']+), which has shape "
                       r"(\([^)]*\)|<unknown>)")


def normalize(text):
    """TF 2.21 message text to the TF 1.x wording tfg uses (and the contract
    quotes): node references, device placement, feed shapes."""
    text = _TF2_NODE.sub(lambda m: "'%s' (op: '%s')" % (m.group(1), m.group(2)), text)
    text = _TF2_DEVICE.sub(lambda m: "Could not satisfy explicit device specification '%s' because "
                           "no devices matching that specification are registered in this "
                           "process;" % m.group(1), text)
    text = _TF2_FEED.sub(lambda m: "Cannot feed value of shape %s for Tensor '%s', which has shape '%s'"
                         % (m.group(1), m.group(2), m.group(3)), text)
    return text


def summary_line(text):
    """The line of a TF message a user needs (OpErrors carry stack noise)."""
    for line in text.splitlines():
        s = line.strip()
        if not s or s == "Graph execution error:" or s.startswith(("Detected at node", "File ",
                                                                   "Node:", "[[")):
            continue
        return s
    return text.strip()


def exc_message(e):
    if isinstance(e, SyntaxError):
        return e.msg
    if isinstance(e, tf.errors.OpError):
        return e.message
    if isinstance(e, KeyError) and len(e.args) == 1 and isinstance(e.args[0], str):
        return e.args[0]
    if isinstance(e, SystemExit):   # sys.exit(MSG) / sys.exit(N): an error, as in tfg
        return e.code if isinstance(e.code, str) else "SystemExit: %s" % e.code
    return str(e)


def exc_location(e, path):
    """(line, col) of the failure in the script, 1-based, or None."""
    if isinstance(e, SyntaxError):
        if e.filename == path and e.lineno:
            return (e.lineno, e.offset or 0)
        return None
    if getattr(e, "lineno", None) and getattr(e, "col", None) and isinstance(e, ImportError):
        return (e.lineno, e.col)
    loc = None
    for fs in traceback.extract_tb(e.__traceback__):
        if fs.filename == path:
            col = getattr(fs, "colno", None)
            loc = (fs.lineno, (col + 1) if col is not None else 0)
    return loc


def format_error(path, src_lines, loc, msg):
    """stderr text as tfg prints it."""
    if loc is None:
        return "tfg: error: %s\n" % msg
    line, col = loc
    out = "%s:%d:%d: error: %s\n" % (path, line, col, msg)
    if 0 < line <= len(src_lines):
        text = src_lines[line - 1].rstrip("\n")
        out += text + "\n" + " " * max(col - 1, 0) + "^\n"
    return out


# ---- values on the command line -------------------------------------------------------

def read_csv(path):
    rows = []
    with open(path) as f:
        for ln in f:
            ln = ln.strip()
            if ln:
                rows.append([float(x) for x in ln.split(",")])
    if not rows:
        raise CliError("%s: empty CSV file" % path)
    if len(rows) == 1:
        return np.array(rows[0], dtype=np.float64)
    if any(len(r) != len(rows[0]) for r in rows):
        raise CliError("%s: rows of different lengths" % path)
    return np.array(rows, dtype=np.float64)


_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_IDX_OUT = {0x08: np.uint8, 0x09: np.int32, 0x0B: np.int32, 0x0C: np.int32, 0x0D: np.float32,
            0x0E: np.float64}


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise CliError("%s: not an idx file" % path)
    t, nd = data[2], data[3]
    dims = struct.unpack(">%dI" % nd, data[4:4 + 4 * nd])
    dt = np.dtype(_IDX_TYPES[t])
    n = int(np.prod(dims)) if dims else 1
    body = data[4 + 4 * nd:]
    if len(body) < n * dt.itemsize:
        raise CliError("%s: truncated idx file" % path)
    return np.frombuffer(body, dt, n).reshape(dims).astype(_IDX_OUT[t])


def load_value(spec):
    """@PATH values: .npy, .npz[:key], .csv, idx (gz or not)."""
    path, key = spec, None
    m = re.match(r"^(.*\.npz):(.+)$", spec)
    if m:
        path, key = m.group(1), m.group(2)
    try:
        if path.endswith(".npy"):
            return np.load(path, allow_pickle=False)
        if path.endswith(".npz"):
            with np.load(path, allow_pickle=False) as z:
                names = list(z.keys())
                if key is None:
                    if len(names) != 1:
                        raise CliError("npz file '%s' has several arrays; name one as %s:KEY"
                                       % (path, path))
                    key = names[0]
                if key.endswith(".npy"):
                    key = key[:-4]
                if key not in names:
                    raise CliError("npz file '%s' has no array '%s'" % (path, key))
                return z[key]
        if path.endswith(".csv"):
            return read_csv(path)
        return read_idx(path)
    except CliError:
        raise
    except Exception as e:  # numpy's and zipfile's errors
        raise CliError("%s: %s" % (path, e)) from None


def parse_feed_value(text):
    if text.startswith("@"):
        return load_value(text[1:])
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise UsageError("malformed --feed value '%s' (a Python literal or @FILE)" % text) from None


# ---- the command line ------------------------------------------------------------------

class Options:
    def __init__(self):
        self.file = None
        self.feeds = []        # (name, text)
        self.fetches = []
        self.state = None
        self.format = "text"
        self.output = None
        self.seed = None
        self.threads = 0
        self.device = None
        self.soft_placement = False
        self.log_placement = False
        self.quiet = False
        self.repeat = None     # --repeat N
        self.batch = None      # --batch B
        self.script_args = []  # after `--`: the script's sys.argv[1:]


def parse_run_args(argv):
    o = Options()
    with_value = {"--feed", "--fetch", "--state", "--format", "-o", "--output", "--seed",
                  "--threads", "--device", "--repeat", "--batch"}
    i = 0
    while i < len(argv):
        a = argv[i]
        val = None
        if a == "--":
            o.script_args = list(argv[i + 1:])
            break
        if a.startswith("--") and "=" in a and a.split("=", 1)[0] in with_value:
            a, val = a.split("=", 1)
        if a in with_value:
            if val is None:
                i += 1
                if i >= len(argv):
                    raise UsageError("option '%s' needs a value" % a)
                val = argv[i]
            if a == "--feed":
                if "=" not in val or not val.split("=", 1)[0]:
                    raise UsageError("malformed --feed '%s' (expected NAME=VALUE)" % val)
                o.feeds.append(tuple(val.split("=", 1)))
            elif a == "--fetch":
                names = [n for n in val.split(",")]
                if not all(names):
                    raise UsageError("malformed --fetch '%s'" % val)
                o.fetches.extend(names)
            elif a == "--state":
                o.state = val
            elif a == "--format":
                if val not in ("text", "json", "npy"):
                    raise UsageError("unknown --format '%s' (text, json or npy)" % val)
                o.format = val
            elif a in ("-o", "--output"):
                o.output = val
            elif a in ("--seed", "--threads"):
                try:
                    n = int(val)
                except ValueError:
                    raise UsageError("%s needs an integer, not '%s'" % (a, val)) from None
                if a == "--seed":
                    o.seed = n
                else:
                    o.threads = n
            elif a == "--device":
                o.device = val
            elif a in ("--repeat", "--batch"):
                try:
                    n = int(val)
                except ValueError:
                    n = 0
                if n < 1:
                    raise UsageError("%s needs a positive integer, not '%s'" % (a, val))
                if a == "--repeat":
                    o.repeat = n
                else:
                    o.batch = n
        elif a == "--soft-placement":
            o.soft_placement = True
        elif a == "--log-placement":
            o.log_placement = True
        elif a in ("-q", "--quiet"):
            o.quiet = True
        elif a.startswith("-") and a != "-":
            raise UsageError("unknown option '%s'" % a)
        elif o.file is None:
            o.file = a
        else:
            raise UsageError("unexpected argument '%s'" % a)
        i += 1
    if o.file is None:
        raise UsageError("run needs a FILE")
    if o.format == "npy" and not o.output:
        raise UsageError("--format npy needs -o FILE")
    if (o.repeat or o.batch) and not o.fetches:
        raise UsageError("--repeat and --batch need --fetch")
    return o


def batch_rows(value, step, batch):
    """Rows (step*batch + k) mod n, k < batch, of an @file feed (tfg's --batch)."""
    a = np.asarray(value)
    if a.ndim == 0 or a.shape[0] == 0:
        raise CliError("--batch needs @file feeds with at least one row")
    idx = (np.arange(batch, dtype=np.int64) + step * batch) % a.shape[0]
    return a[idx]


def write_atomic(path, data):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp.", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def json_number(x, dt):
    if dt.kind == "b":
        return "true" if x else "false"
    if dt.kind == "f":
        if np.isnan(x):
            return '"nan"'
        if np.isinf(x):
            return '"inf"' if x > 0 else '"-inf"'
        return str(dt.type(x))
    return str(int(x))


def json_data(a):
    if a.ndim == 0:
        return json_number(a[()], a.dtype)
    return "[" + ",".join(json_data(a[i]) for i in range(a.shape[0])) + "]"


def json_line(name, value):
    if value is None:
        return '{"name":%s,"data":null}' % json_str(name)
    a = np.asarray(value)
    return '{"name":%s,"dtype":"%s","shape":[%s],"data":%s}' % (
        json_str(name), a.dtype.name, ",".join(str(d) for d in a.shape), json_data(a))


def json_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def resolve(name, glb, pre, graph, for_feed=False):
    """A --fetch/--feed NAME: a script variable, else a graph node or tensor name
    (a node name means its first output when it has one)."""
    if name in glb and (name not in pre or glb[name] is not pre[name]):
        v = glb[name]
        if isinstance(v, (tf.Tensor, tf.Operation, tf.Variable)):
            if isinstance(v, tf.Operation) and v.outputs:
                return v.outputs[0]
            if for_feed and isinstance(v, tf.Variable):
                return v.value() if hasattr(v, "value") else v
            return v
        raise CliError("'%s' is not a tensor or an operation" % name)
    try:
        el = graph.as_graph_element(name, allow_tensor=True, allow_operation=True)
    except (KeyError, ValueError, TypeError):
        raise CliError("no variable, tensor or node named '%s'" % name) from None
    if isinstance(el, tf.Operation) and el.outputs:
        return el.outputs[0]
    return el


def fetch_phase(o, glb, pre, graph, out):
    """The --fetch run: a fresh session over the final graph."""
    feeds = {}
    batched = set()   # @file feeds that advance by minibatch
    for name, text in o.feeds:
        value = parse_feed_value(text)
        target = resolve(name, glb, pre, graph, for_feed=True)
        if isinstance(target, tf.Operation):
            raise CliError("cannot feed operation '%s'" % name)
        dt = target.dtype.base_dtype.as_numpy_dtype
        try:
            feeds[target] = np.asarray(value, dtype=dt)
        except (ValueError, TypeError) as e:
            raise CliError("--feed %s: %s" % (name, e)) from None
        if o.batch and text.startswith("@"):
            batched.add(target)
    targets = [resolve(n, glb, pre, graph) for n in o.fetches]
    sess = prelude.Session(graph=graph)
    try:
        variables = graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
        restored = {}
        if o.state and os.path.exists(o.state):
            try:
                with np.load(o.state, allow_pickle=False) as z:
                    restored = {k: z[k] for k in z.keys()}
            except Exception as e:
                raise CliError("%s: cannot read checkpoint: %s" % (o.state, e)) from None
        for v in variables:
            key = v.op.name
            if key in restored:
                v.load(restored[key], sess)
            else:
                sess.run(v.initializer)
        for step in range(o.repeat or 1):
            fd = {t: (batch_rows(v, step, o.batch) if t in batched else v) for t, v in feeds.items()}
            values = sess.run(targets, feed_dict=fd)
        if o.state:
            state = {v.op.name: sess.run(v) for v in variables}
            buf = io.BytesIO()
            np.savez(buf, **state)
            write_atomic(o.state, buf.getvalue())
    finally:
        sess.close()
    if o.format == "npy":
        buf = io.BytesIO()
        if len(values) == 1:
            np.save(buf, np.asarray(values[0]))
        else:
            np.savez(buf, **{n: np.asarray(v) for n, v in zip(o.fetches, values)})
        write_atomic(o.output, buf.getvalue())
        return
    text = io.StringIO()
    for n, v in zip(o.fetches, values):
        if o.format == "json":
            print(json_line(n, v), file=text)
        else:
            if len(values) > 1:
                print(n + ":", file=text)
            print(v, file=text)
    if o.output:
        write_atomic(o.output, text.getvalue().encode())
    else:
        out.write(text.getvalue())


def run_file(o):
    """Executes a script as `tfg run` does; returns a Result."""
    out = io.StringIO()
    err = None
    path = o.file
    try:
        with open(path, encoding="utf-8") as f:
            src = f.read()
    except OSError as e:
        msg = "cannot read '%s': %s" % (path, e.strerror)
        return Result("", "tfg: error: %s\n" % msg, 1, ErrInfo(1, msg, msg))
    src_lines = src.splitlines()
    prelude.OPTIONS.update(soft_placement=o.soft_placement, log_placement=o.log_placement,
                           threads=o.threads)
    graph = tf.Graph()
    glb = prelude.script_globals()
    pre = dict(glb)
    saved_argv = sys.argv
    sys.argv = [path] + list(o.script_args)
    try:
        with graph.as_default():
            if o.seed is not None:
                tf.set_random_seed(o.seed)
            try:
                tree = compile(prelude.transform(src), path, "exec", ast.PyCF_ONLY_AST)
                prelude.check_imports(tree)
                code = compile(tree, path, "exec")
                sink = io.StringIO() if o.quiet else out
                with contextlib.redirect_stdout(sink):
                    if o.device:
                        with tf.device(o.device):
                            exec(code, glb)
                    else:
                        exec(code, glb)
            except (Exception, SystemExit) as e:  # the script's own failure: located
                text = normalize(exc_message(e))
                err = ErrInfo(1, text, summary_line(text), exc_location(e, path),
                              type(e).__name__)
            finally:
                prelude.close_sessions()
            if err is None and o.fetches:
                try:
                    fetch_phase(o, glb, pre, graph, out)
                except UsageError:
                    raise
                except CliError as e:
                    err = ErrInfo(1, str(e), str(e), None, "CliError")
                except Exception as e:
                    text = normalize(exc_message(e))
                    err = ErrInfo(1, text, summary_line(text), None, type(e).__name__)
                finally:
                    prelude.close_sessions()
    except UsageError as e:
        return Result(out.getvalue(), "tfg: %s\n" % e, 2, ErrInfo(2, str(e), str(e)))
    finally:
        sys.argv = saved_argv
    if err is None:
        return Result(out.getvalue(), "", 0)
    return Result(out.getvalue(), format_error(path, src_lines, err.loc, err.summary), 1, err)


def cli(argv):
    """`tfg ARGV...` (only `run` is emulated); returns a Result."""
    if not argv or argv[0] != "run":
        if argv and argv[0] in ("--version",):
            return Result(VERSION + "\n", "", 0)
        return Result("", "tfg: the oracle emulates only 'tfg run'\n", 2,
                      ErrInfo(2, "usage", "usage"))
    try:
        o = parse_run_args(argv[1:])
    except UsageError as e:
        return Result("", "tfg: %s\n" % e, 2, ErrInfo(2, str(e), str(e)))
    return run_file(o)


# ---- cases ------------------------------------------------------------------------------

LOC_LINE = re.compile(r"^(?P<file>\S+?\.tfg):(?:(?P<line>\d+):(?:(?P<col>\d+):)?)?(?: error:)?\s*$")


def is_format_line(line):
    return bool(LOC_LINE.match(line)) or line.startswith("tfg:") or line.strip() in ("error", "error:")


def directives(tfg_path):
    d = {}
    with open(tfg_path, encoding="utf-8", errors="replace") as f:
        for ln in f:
            m = re.match(r"^\s*#\s*oracle:\s*(\S+)\s*(.*)$", ln)
            if m:
                d[m.group(1)] = m.group(2).strip()
    return d


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def run_case(tfg_path):
    d, base = os.path.split(os.path.abspath(tfg_path))
    stem = tfg_path[:-4]
    args = shlex.split(read(stem + ".args")) if os.path.exists(stem + ".args") else []
    old = os.getcwd()
    os.chdir(d)
    try:
        return cli(["run", base] + args)
    finally:
        os.chdir(old)


def collect(paths):
    cases = []
    for p in paths or ["tests/cli", "samples"]:
        if os.path.isdir(p):
            cases += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".tfg"))
        elif p.endswith(".tfg"):
            cases.append(p)
        else:
            raise SystemExit("tfg_oracle: not a folder or .tfg file: %s" % p)
    return cases


_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf")


def same_output(want, got, tol):
    if want == got:
        return True
    if tol is None:
        return False
    if "".join(_NUM.sub("#", want).split()) != "".join(_NUM.sub("#", got).split()):
        return False
    for a, b in zip(_NUM.findall(want), _NUM.findall(got)):
        if a == b:
            continue
        try:
            x, y = float(a), float(b)
        except ValueError:
            return False
        if abs(x - y) > tol * max(abs(x), abs(y), 1e-30):
            return False
    return True


def check_case(tfg_path, res):
    """Mismatches between a case's files and TF's behaviour: a list of strings."""
    stem = tfg_path[:-4]
    why = []
    dirs = directives(tfg_path)
    want_status = int(read(stem + ".status").strip()) if os.path.exists(stem + ".status") else 0
    if res.status != want_status:
        why.append("exit status under TF %d, .status says %d%s" % (
            res.status, want_status, (" (TF: %s)" % res.err.summary) if res.err else ""))
    if os.path.exists(stem + ".out"):
        tol = float(read(stem + ".tol")) if os.path.exists(stem + ".tol") else None
        if not same_output(read(stem + ".out"), res.stdout, tol):
            why.append("stdout differs from .out; TF prints:\n" + res.stdout)
    if os.path.exists(stem + ".err") and res.err is not None:
        for line in read(stem + ".err").splitlines():
            if not line.strip():
                continue
            m = LOC_LINE.match(line)
            if m:
                if m.group("line") is None:
                    continue
                if res.err.loc is None:
                    why.append("TF's error has no place in the script, .err says '%s'" % line)
                    continue
                want = (int(m.group("line")), int(m.group("col")) if m.group("col") else None)
                if want[0] != res.err.loc[0] or (want[1] is not None and want[1] != res.err.loc[1]):
                    why.append("TF fails at %d:%d, .err says '%s'" % (res.err.loc + (line,)))
            elif is_format_line(line) or "own-text" in dirs:
                continue
            elif line not in res.err.text:
                why.append("TF's message lacks '%s'; TF says: %s" % (line, res.err.summary))
    return why


def cmd_gen(paths):
    n = 0
    for c in collect(paths):
        dirs = directives(c)
        if "skip" in dirs:
            continue
        stem = c[:-4]
        res = run_case(c)
        n += 1
        if res.status == 0 or res.stdout or os.path.exists(stem + ".out"):
            with open(stem + ".out", "w") as f:
                f.write(res.stdout)
        if res.status != 0:
            with open(stem + ".status", "w") as f:
                f.write("%d\n" % res.status)
            if not os.path.exists(stem + ".err"):
                name = os.path.basename(c)
                lines = []
                if res.err and res.err.loc:
                    lines.append("%s:%d:%d: error:" % ((name,) + res.err.loc))
                if res.err:
                    lines.append(res.err.summary)
                with open(stem + ".err", "w") as f:
                    f.write("\n".join(lines) + "\n")
                print("gen: %s: wrote a draft .err, edit it: %s" % (c, " | ".join(lines)))
        elif os.path.exists(stem + ".status"):
            os.unlink(stem + ".status")
            print("gen: %s: TF succeeds, removed .status" % c)
    print("gen: %d cases run under TensorFlow %s" % (n, tf.__version__))


def cmd_check(paths):
    bad = ok = skipped = 0
    for c in collect(paths):
        if "skip" in directives(c):
            skipped += 1
            continue
        why = check_case(c, run_case(c))
        if why:
            bad += 1
            for w in why:
                print("MISMATCH %s: %s" % (c, w))
        else:
            ok += 1
    print("%d agree with TensorFlow, %d mismatch, %d skipped (tfg-only)" % (ok, bad, skipped))
    return 1 if bad else 0


def cmd_show(path):
    res = run_case(path)
    sys.stdout.write(res.stdout)
    print("--- status %d" % res.status)
    if res.err:
        print("--- %s at %s: %s" % (res.err.kind, res.err.loc, res.err.summary))
        print("--- full text:\n" + res.err.text)
    sys.stdout.write(res.stderr)


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "run":
        res = cli(argv)
        sys.stdout.write(res.stdout)
        sys.stderr.write(res.stderr)
        return res.status
    if cmd == "gen":
        cmd_gen(rest)
        return 0
    if cmd == "check":
        return cmd_check(rest)
    if cmd == "show" and len(rest) == 1:
        cmd_show(rest[0])
        return 0
    print("tfg_oracle: unknown command; see --help", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
