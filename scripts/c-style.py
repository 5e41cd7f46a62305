#!/usr/bin/python3
"""The two rules of ddc's C house style that clang-format cannot check.

- Comments are `//  text` (two spaces, as czmq writes them). Only the file's
  opening comment (what the module owns) is a `/* */` block. A comment
  inside a line of code, or before a macro's line continuation, stays
  `/* */`: a `//` there would swallow the rest of the line.
- `sizeof` always takes parentheses: `sizeof (x)`, never `sizeof x`.

usage: scripts/c-style.py --check FILE...   list what differs, exit 1 if any
       scripts/c-style.py --fix FILE...     rewrite the files in place

`make format` runs --fix and then clang-format; `make format-check` (run by
.ci/run) runs --check and clang-format --dry-run --Werror.
"""
import re
import sys

SIZEOF = re.compile(
    r"\bsizeof[ \t]+(?!\()(\*{0,2}[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*|[ \t]*\[[^\]\n]*\])*)")


def scan(text):
    """Yield (kind, start, end) for each comment and code run of a C file;
    kind is 'block', 'line' or 'code'. Strings and character literals are
    part of code."""
    i, n, start = 0, len(text), 0
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        elif text.startswith("/*", i):
            if start < i:
                yield "code", start, i
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            yield "block", i, j
            i = start = j
        elif text.startswith("//", i):
            if start < i:
                yield "code", start, i
            j = text.find("\n", i)
            j = n if j < 0 else j
            yield "line", i, j
            i = start = j
        else:
            i += 1
    if start < n:
        yield "code", start, n


def line_comment(text, start, end):
    """The `//` form of the block comment text[start:end], or None when it
    must stay a block (code after it on its line)."""
    rest = text[end:text.find("\n", end) if text.find("\n", end) >= 0 else len(text)]
    if rest.strip():
        return None
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    own_line = not before.strip()
    body = text[start + 2:end - 2]
    lines = body.split("\n")
    if not own_line and len(lines) > 1:
        return None
    indent = before if own_line else ""
    # continuation lines are indented under the first line's text
    out = []
    for k, line in enumerate(lines):
        if k == 0:
            line = line.strip()
        else:
            line = line.rstrip()
            line = line[len(before) + 3:] if line[:len(before) + 3].strip() == "" else line.strip()
            line = line.lstrip("*").rstrip() if line.lstrip().startswith("*") else line
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    if not out:
        return None
    parts = [("//  " + line).rstrip() for line in out]
    return ("\n" + indent).join(parts)


def fix(text):
    pieces, first_comment_seen, last = [], False, 0
    for kind, start, end in scan(text):
        if kind == "code":
            pieces.append(SIZEOF.sub(r"sizeof (\1)", text[start:end]))
        elif kind == "block":
            header = not first_comment_seen and not text[:start].strip()
            first_comment_seen = True
            new = None if header else line_comment(text, start, end)
            pieces.append(new if new is not None else text[start:end])
        else:
            first_comment_seen = True
            pieces.append(text[start:end])
        last = end
    assert last == len(text)
    return "".join(pieces)


def main(argv):
    if len(argv) < 2 or argv[0] not in ("--check", "--fix"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    bad = 0
    for path in argv[1:]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new = fix(text)
        if new == text:
            continue
        if argv[0] == "--fix":
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
        else:
            old_lines, new_lines = text.split("\n"), new.split("\n")
            for k, line in enumerate(old_lines):
                if k >= len(new_lines) or new_lines[k] != line:
                    print(f"{path}:{k + 1}: not in the house style: {line.strip()[:70]}")
                    break
            bad += 1
    if argv[0] == "--check" and bad:
        print(f"{bad} file(s) differ: run `make format`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
