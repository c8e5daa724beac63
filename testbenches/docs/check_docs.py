#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Docs that stay true: run the shell blocks of README.md and docs/*.md and compare what they print.

The rules (README.md, "Docs are tested", is the user-facing copy):

* Every fenced block (``` or ~~~) has an info string; its first word says what it holds
  (sh, text, cpp, yaml, ...). A fence without one fails: a shell block cannot hide as plain text.
* A shell block (sh, bash, shell, console, zsh) is tagged after the language:
    ```sh run             executed by bash -e -o pipefail; it must exit 0
    ```sh run exit=N      executed; its exit status must be N
    ```sh no-run: REASON  not executed; REASON is required (e.g. "root install", "slow: covered by X")
  An untagged shell block fails, naming the file and line.
* ```text output  (any language, tag `output`) right after a run block (only blank lines between):
  the run block's stdout must equal the block's text; `output stderr` compares stderr.
  In it, `<host>` matches any text within a line (host timings, wall times) and a line that is
  exactly `[...]` matches any number of lines. Trailing blanks and trailing empty lines are ignored.
* An inline figure in prose or a table is checked by a comment in the same paragraph:
    <!-- check: COMMAND == VALUE -->
  (on a line of its own). COMMAND runs like a run block (in the same directory, after the file's earlier blocks); its
  stdout, stripped, must equal VALUE, and VALUE must appear in the paragraph's visible text.
* Blocks run from a scratch directory that mirrors the repository root: every top-level entry is a
  symbolic link into the source tree, `build` links to the build directory under test, `traces/`
  and everything else a block writes stay in the scratch directory. The blocks of one file run
  in order in one scratch directory; files run in parallel. $VGIC_BUILD_DIR and $VGIC_SOURCE_DIR
  name the two trees.

Usage: check_docs.py --source DIR --build DIR [--jobs N] [--timeout S] [-v] [FILE.md ...]
Exit status 0 if every block and check passes, 1 otherwise.
"""
import argparse
import concurrent.futures
import difflib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SHELL_LANGS = {"sh", "bash", "shell", "console", "zsh"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
CHECK = re.compile(r"^\s*<!--\s*check:\s*(?P<body>.*?)\s*-->\s*$")
COMMENT = re.compile(r"<!--.*?-->")
SECTION_REF = re.compile(r'(?P<file>[A-Za-z0-9_./-]+\.md)\)?,? "(?P<section>[^"]+)"')
DOC_REF = re.compile(r"\bdocs/[A-Za-z0-9_-]+\.md\b")
HEADING = re.compile(r"^#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
HOST = "<host>"
ANY_LINES = "[...]"


class Item:
    """A fenced block or a check marker, in document order."""

    def __init__(self, kind, line, **kw):
        self.kind = kind  # "block" or "check"
        self.line = line
        self.__dict__.update(kw)


def parse(path, text):
    """Returns (items, errors). Blocks: lang, tag, body, indent, end (line of the closing fence)."""
    lines = text.split("\n")
    items, errors = [], []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            c = CHECK.match(lines[i])
            if c:
                items.append(Item("check", i + 1, body=c.group("body"), para=paragraph(lines, i)))
            i += 1
            continue
        fence, indent, info = m.group("fence"), m.group("indent"), m.group("info").strip()
        start = i
        body = []
        i += 1
        closed = False
        while i < len(lines):
            c = re.match(r"^[ \t]*(" + re.escape(fence[0]) + "{" + str(len(fence)) + r",})[ \t]*$", lines[i])
            if c:
                closed = True
                break
            line = lines[i]
            if indent and line.startswith(indent):
                line = line[len(indent):]
            body.append(line)
            i += 1
        if not closed:
            errors.append(f"{path}:{start + 1}: the fence is never closed")
            break
        lang, _, tag = info.partition(" ")
        items.append(Item("block", start + 1, lang=lang.lower(), tag=tag.strip(), body=body, end=i + 1))
        i += 1
    return items, errors


def paragraph(lines, i):
    """The visible text of the paragraph holding line i (non-blank lines around it, comments removed)."""
    a = i
    while a > 0 and lines[a - 1].strip():
        a -= 1
    b = i
    while b + 1 < len(lines) and lines[b + 1].strip():
        b += 1
    return COMMENT.sub("", "\n".join(lines[a:b + 1]))


def expected_regex(expected_lines):
    parts = []
    for line in expected_lines:
        if line.strip() == ANY_LINES:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append("[^\n]*?".join(re.escape(p) for p in line.split(HOST)) + r"\n")
    return re.compile("".join(parts))


def normalise(text):
    lines = [l.rstrip() for l in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def output_matches(expected_lines, actual):
    exp = normalise("\n".join(expected_lines))
    act = normalise(actual)
    return expected_regex(exp).fullmatch("".join(l + "\n" for l in act)) is not None, exp, act


def make_scratch(source, build):
    d = tempfile.mkdtemp(prefix="vgic-docs-")
    for name in os.listdir(source):
        if name in (".git", "traces") or name == "build" or name.startswith("build-") or name.startswith(".vgic-"):
            continue
        os.symlink(os.path.join(source, name), os.path.join(d, name))
    os.symlink(build, os.path.join(d, "build"))
    os.mkdir(os.path.join(d, "traces"))
    return d


def run_shell(script, cwd, env, timeout):
    t0 = time.monotonic()
    try:
        p = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = None, e.stdout or b"", (e.stderr or b"") + f"\n(timed out after {timeout} s)".encode()
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), time.monotonic() - t0


def tail(text, n=30):
    lines = text.rstrip("\n").split("\n")
    return "\n".join("    " + l for l in lines[-n:])


def check_file(path, rel, args, execute=True):
    """Returns (errors, notes)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    items, errors = parse(rel, text)
    lines = text.split("\n")
    notes = []
    # Static rules first: every fence has a language, every shell block a tag, outputs follow runs.
    prev_block = None
    for it in items:
        if it.kind != "block":
            continue
        it.mode, it.outputs = None, []
        tag_word = it.tag.split(" ")[0].split("=")[0] if it.tag else ""
        if not it.lang:
            errors.append(f"{rel}:{it.line}: a fence without an info string: name what it holds "
                          f"(```text, ```cpp, ```sh run, ```sh no-run: REASON, ```text output)")
        elif tag_word == "output":
            if it.tag not in ("output", "output stderr"):
                errors.append(f"{rel}:{it.line}: bad output tag '{it.tag}': expected 'output' or 'output stderr'")
            if prev_block is None or prev_block.mode != "run" or not adjacent(lines, prev_block, it):
                errors.append(f"{rel}:{it.line}: an output block must follow a run block (only blank lines between)")
            else:
                prev_block.outputs.append(it)
                prev_block.end = it.end  # a further output block (stdout, then stderr) may follow this one
            continue
        elif it.lang in SHELL_LANGS:
            if it.tag == "run" or re.fullmatch(r"run exit=\d+", it.tag):
                it.mode = "run"
                it.exit = int(it.tag.split("=")[1]) if "=" in it.tag else 0
            elif re.fullmatch(r"no-run:\s*\S.*", it.tag):
                it.mode = "no-run"
            else:
                errors.append(f"{rel}:{it.line}: untagged shell block (```{it.lang} '{it.tag}'): tag it "
                              f"```{it.lang} run, ```{it.lang} run exit=N or ```{it.lang} no-run: REASON")
        elif it.tag.startswith("run") or it.tag.startswith("no-run"):
            errors.append(f"{rel}:{it.line}: '{it.tag}' on a ```{it.lang} block: only shell blocks "
                          f"({', '.join(sorted(SHELL_LANGS))}) are run")
        prev_block = it
    for it in items:
        if it.kind == "check":
            cmd, sep, value = it.body.rpartition(" == ")
            if not sep or not cmd.strip() or not value.strip():
                errors.append(f"{rel}:{it.line}: malformed check '{it.body}': expected <!-- check: COMMAND == VALUE -->")
                it.bad = True
                continue
            it.cmd, it.value, it.bad = cmd.strip(), value.strip(), False
            if " ".join(it.value.split()) not in " ".join(it.para.split()):  # line breaks are blanks
                errors.append(f"{rel}:{it.line}: the check's value '{it.value}' does not appear in its paragraph")
    errors += check_references(rel, path, text, args.source)
    if errors or not execute:
        return errors, notes

    runnable = [it for it in items if (it.kind == "block" and it.mode == "run") or (it.kind == "check" and not it.bad)]
    if not runnable:
        return errors, notes
    scratch = make_scratch(args.source, args.build)
    env = dict(os.environ, VGIC_BUILD_DIR=args.build, VGIC_SOURCE_DIR=args.source)
    try:
        for it in runnable:
            if it.kind == "block":
                script = "\n".join(it.body) + "\n"
                rc, out, err, secs = run_shell(script, scratch, env, args.timeout)
                notes.append(f"{rel}:{it.line}: run block, {secs:.2f} s")
                if rc != it.exit:
                    errors.append(f"{rel}:{it.line}: the run block exited {rc}, expected {it.exit}\n"
                                  f"  block:\n{tail(script)}\n  stderr:\n{tail(err)}\n  stdout:\n{tail(out)}")
                    continue
                if secs > args.slow:
                    errors.append(f"{rel}:{it.line}: the run block took {secs:.1f} s (more than {args.slow:.0f} s): "
                                  f"tag it no-run: slow: covered by <test>")
                for o in it.outputs:
                    actual = err if o.tag == "output stderr" else out
                    ok, exp, act = output_matches(o.body, actual)
                    if not ok:
                        # a documented line with <host> that matches its actual line shows as equal
                        shown = [act[k] if HOST in l and k < len(act) and expected_regex([l]).fullmatch(act[k] + "\n")
                                 else l for k, l in enumerate(exp)]
                        diff = "\n".join(difflib.unified_diff(shown, act, "documented", "actual", lineterm=""))
                        errors.append(f"{rel}:{o.line}: the output differs from what the run block at line "
                                      f"{it.line} printed ({'stderr' if o.tag == 'output stderr' else 'stdout'}):\n{diff}")
            else:
                rc, out, err, secs = run_shell(it.cmd, scratch, env, args.timeout)
                notes.append(f"{rel}:{it.line}: check, {secs:.2f} s")
                got = out.strip()
                if rc != 0:
                    errors.append(f"{rel}:{it.line}: the check's command exited {rc}: {it.cmd}\n  stderr:\n{tail(err)}")
                elif got != it.value:
                    errors.append(f"{rel}:{it.line}: the document says '{it.value}', the command prints '{got}': {it.cmd}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return errors, notes


def headings(path):
    with open(path, encoding="utf-8") as f:
        return [re.sub(r"[`*]", "", m.group("text")).lower() for m in map(HEADING.match, f.read().split("\n")) if m]


def resolve(name, doc_path, source):
    for base in (os.path.dirname(doc_path), source, os.path.join(source, "docs")):
        p = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(p):
            return p
    return None


def check_references(rel, path, text, source):
    """`FILE.md, "Section"` must name an existing file with a heading that starts with Section."""
    errors = []
    in_fence = False
    for n, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        for m in SECTION_REF.finditer(line):
            target = resolve(m.group("file"), path, source)
            want = re.sub(r"[`*]", "", m.group("section")).lower()
            if target is None:
                errors.append(f"{rel}:{n}: {m.group('file')} does not exist")
            elif not any(h.startswith(want) for h in headings(target)):
                errors.append(f"{rel}:{n}: {m.group('file')} has no section \"{m.group('section')}\"")
        for m in DOC_REF.finditer(line):
            if not os.path.isfile(os.path.join(source, m.group(0))):
                errors.append(f"{rel}:{n}: {m.group(0)} does not exist")
    return errors


def check_repo_doc_references(source):
    """Every docs/<name>.md that a build file, script or source names must exist."""
    errors = []
    for root, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if not (d.startswith(".") or d.startswith("build") or d == "traces")]
        for f in files:
            if not (f == "CMakeLists.txt" or f.endswith((".cmake", ".py", ".sh", ".cpp", ".hpp", ".h", ".in"))
                    or os.path.basename(root) == "scripts"):
                continue
            p = os.path.join(root, f)
            try:
                with open(p, encoding="utf-8") as fh:
                    lines = fh.read().split("\n")
            except (UnicodeDecodeError, OSError):
                continue
            for n, line in enumerate(lines, 1):
                for m in DOC_REF.finditer(line):
                    if not os.path.isfile(os.path.join(source, m.group(0))):
                        errors.append(f"{os.path.relpath(p, source)}:{n}: {m.group(0)} does not exist")
    return errors


def adjacent(lines, a, b):
    """Only blank lines between block a's closing fence and block b's opening one."""
    return all(not lines[k].strip() for k in range(a.end, b.line - 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="the repository root")
    ap.add_argument("--build", required=True, help="the build directory whose programs the blocks run")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120, help="seconds per block or check")
    ap.add_argument("--slow", type=float, default=60, help="a run block slower than this fails")
    ap.add_argument("--static", action="store_true", help="only the tagging rules, run nothing")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("files", nargs="*", help="default: README.md and docs/*.md of --source")
    args = ap.parse_args()
    args.source = os.path.abspath(args.source)
    args.build = os.path.abspath(args.build)
    files = args.files or [os.path.join(args.source, "README.md")] + sorted(glob.glob(os.path.join(args.source, "docs", "*.md")))
    t0 = time.monotonic()
    errors, notes = ([] if args.files else check_repo_doc_references(args.source)), []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(check_file, f, os.path.relpath(f, args.source) if f.startswith(args.source) else f,
                               args, not args.static) for f in files]
        for f in futures:
            e, n = f.result()
            errors += e
            notes += n
    if args.verbose:
        print("\n".join(notes))
    for e in errors:
        print(e)
    print(f"check_docs: {len(files)} files, {sum(1 for n in notes if 'run block' in n)} run blocks, "
          f"{sum(1 for n in notes if 'check,' in n)} checks, {len(errors)} problems, {time.monotonic() - t0:.1f} s")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
