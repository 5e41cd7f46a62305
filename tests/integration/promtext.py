"""A strict reader of the Prometheus text exposition format (version 0.0.4),
for checking what /metrics serves: every line must be a HELP, a TYPE or a
sample; HELP and TYPE at most once a family and before its samples; the
samples of a family together; names, label names, escapes and numbers as
the format has them; no series twice; a histogram's buckets with an le,
cumulative, ending in +Inf equal to its _count, with _sum and _count.
parse(text) gives {name: Family}; anything else raises ValueError naming
the line.
"""
import math
import re

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Inf|NaN")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class Family:
    def __init__(self, name):
        self.name = name
        self.type = None
        self.help = None
        self.samples = []          # (sample name, {labels}, value)


def _unescape(s, lineno, quote):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 >= len(s):
                raise ValueError(f"line {lineno}: a lone backslash")
            n = s[i + 1]
            if n == "\\":
                out.append("\\")
            elif n == "n":
                out.append("\n")
            elif n == '"' and quote:
                out.append('"')
            else:
                raise ValueError(f"line {lineno}: unknown escape \\{n}")
            i += 2
            continue
        if c == '"' and quote:
            raise ValueError(f"line {lineno}: an unescaped quote")
        out.append(c)
        i += 1
    return "".join(out)


def _labels(s, lineno):
    """The labels of a sample from the text after '{'; returns (labels, rest)."""
    labels, i = {}, 0
    while True:
        if s[i:i + 1] == "}":
            return labels, s[i + 1:]
        m = LABEL.match(s, i)
        if not m:
            raise ValueError(f"line {lineno}: a label name expected at {s[i:i + 20]!r}")
        name = m.group(0)
        i = m.end()
        if s[i:i + 2] != '="':
            raise ValueError(f"line {lineno}: '=\"' expected after label {name}")
        i += 2
        j = i
        while j < len(s) and s[j] != '"':
            j += 2 if s[j] == "\\" else 1
        if j >= len(s):
            raise ValueError(f"line {lineno}: an unterminated label value")
        if name in labels:
            raise ValueError(f"line {lineno}: label {name} twice")
        if name.startswith("__"):
            raise ValueError(f"line {lineno}: reserved label name {name}")
        labels[name] = _unescape(s[i:j], lineno, True)
        i = j + 1
        if s[i:i + 1] == ",":
            i += 1
        elif s[i:i + 1] != "}":
            raise ValueError(f"line {lineno}: ',' or '}}' expected after label {name}")


def _number(s, lineno):
    if not NUMBER.fullmatch(s):
        raise ValueError(f"line {lineno}: not a number: {s!r}")
    return float(s.replace("Inf", "inf"))


def _family_of(name, families):
    """The family a sample name belongs to (a histogram's _bucket, _sum,
    _count belong to it)."""
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and base in families and families[base].type == "histogram":
            return families[base]
    return families.get(name)


def parse(text):
    if text and not text.endswith("\n"):
        raise ValueError("the text does not end with a newline")
    families, done, series = {}, set(), set()
    current = None
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if line == "":
            continue
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (\S+)(?: (.*))?", line)
            if not m:
                if line.startswith("# HELP") or line.startswith("# TYPE"):
                    raise ValueError(f"line {lineno}: a malformed {line[2:6]} line")
                continue               # another comment
            kind, name, rest = m.group(1), m.group(2), m.group(3)
            if not NAME.fullmatch(name):
                raise ValueError(f"line {lineno}: bad metric name {name!r}")
            if name in done:
                raise ValueError(f"line {lineno}: family {name} again after others")
            fam = families.setdefault(name, Family(name))
            if current is not None and current is not fam:
                done.add(current.name)
            current = fam
            if kind == "HELP":
                if fam.help is not None:
                    raise ValueError(f"line {lineno}: HELP of {name} twice")
                fam.help = _unescape(rest or "", lineno, False)
            else:
                if fam.type is not None:
                    raise ValueError(f"line {lineno}: TYPE of {name} twice")
                if fam.samples:
                    raise ValueError(f"line {lineno}: TYPE of {name} after its samples")
                if rest not in TYPES:
                    raise ValueError(f"line {lineno}: unknown type {rest!r}")
                fam.type = rest
            continue
        m = NAME.match(line)
        if not m:
            raise ValueError(f"line {lineno}: a sample must start with a metric name")
        name, rest = m.group(0), line[m.end():]
        labels = {}
        if rest.startswith("{"):
            labels, rest = _labels(rest[1:], lineno)
        parts = rest.split(" ")
        if len(parts) not in (2, 3) or parts[0] != "":
            raise ValueError(f"line {lineno}: 'NAME{{LABELS}} VALUE [TIMESTAMP]' expected")
        value = _number(parts[1], lineno)
        if len(parts) == 3 and not re.fullmatch(r"-?\d+", parts[2]):
            raise ValueError(f"line {lineno}: bad timestamp")
        fam = _family_of(name, families)
        if fam is None or fam.type is None:
            raise ValueError(f"line {lineno}: {name} has no TYPE before it")
        if fam is not current:
            raise ValueError(f"line {lineno}: {name} outside its family's block")
        if fam.type == "histogram" and name == fam.name:
            raise ValueError(f"line {lineno}: a histogram sample without a suffix")
        if fam.type == "counter" and (value < 0 or math.isnan(value)):
            raise ValueError(f"line {lineno}: a counter below 0")
        key = (name, frozenset(labels.items()))
        if key in series:
            raise ValueError(f"line {lineno}: series {name}{labels} twice")
        series.add(key)
        fam.samples.append((name, labels, value))
    for fam in families.values():
        if fam.type == "histogram":
            _check_histogram(fam)
    return families


def _check_histogram(fam):
    groups = {}
    for name, labels, value in fam.samples:
        rest = frozenset((k, v) for k, v in labels.items() if k != "le")
        g = groups.setdefault(rest, {"buckets": [], "sum": None, "count": None})
        if name.endswith("_bucket"):
            if "le" not in labels:
                raise ValueError(f"{fam.name}: a bucket without le")
            g["buckets"].append((_number(labels["le"], 0), value))
        elif name.endswith("_sum"):
            g["sum"] = value
        else:
            g["count"] = value
    for rest, g in groups.items():
        b = g["buckets"]
        if not b or b[-1][0] != math.inf or g["count"] is None or g["sum"] is None:
            raise ValueError(f"{fam.name}{dict(rest)}: buckets up to +Inf, _sum and _count needed")
        for (le0, c0), (le1, c1) in zip(b, b[1:]):
            if le1 <= le0 or c1 < c0:
                raise ValueError(f"{fam.name}{dict(rest)}: buckets not cumulative")
        if b[-1][1] != g["count"]:
            raise ValueError(f"{fam.name}{dict(rest)}: +Inf bucket is not _count")


def value(families, name, **labels):
    """The value of the one sample of name (a family's, or a histogram's
    _bucket/_sum/_count) whose labels include these, or None."""
    found = [v for fam in families.values() for (n, ls, v) in fam.samples
             if n == name and all(ls.get(k) == str(x) for k, x in labels.items())]
    if len(found) > 1:
        raise AssertionError(f"{len(found)} samples of {name} with {labels}")
    return found[0] if found else None
