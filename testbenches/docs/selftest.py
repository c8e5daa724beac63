#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""docs.checker_fails: check_docs.py must fail each broken fixture with its message, and pass good.md.

Usage: selftest.py --source DIR --build DIR
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# fixture -> texts its report must contain (exit status 1); good.md must exit 0
EXPECT = {
    "untagged.md": ["fixtures/untagged.md:3: untagged shell block"],
    "bare_fence.md": ["fixtures/bare_fence.md:3: a fence without an info string"],
    "wrong_figure.md": ["fixtures/wrong_figure.md:4: the document says '42', the command prints '41'"],
    "wrong_output.md": ["fixtures/wrong_output.md:8: the output differs", "-interrupts 3750", "+interrupts 3751"],
    "failing_run.md": ["fixtures/failing_run.md:3: the run block exited 1, expected 0", "oops: this went wrong"],
    "orphan_output.md": ["fixtures/orphan_output.md:7: an output block must follow a run block"],
    "bad_reference.md": ['has no section "A section nobody wrote"', "docs" + "/NO_SUCH_FILE.md does not exist"],
    "figure_not_in_text.md": ["fixtures/figure_not_in_text.md:4: the check's value '42' does not appear in its paragraph"],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    args = ap.parse_args()
    failures = []
    for name in ["good.md"] + sorted(EXPECT):
        fixture = os.path.join(HERE, "fixtures", name)
        p = subprocess.run([sys.executable, os.path.join(HERE, "check_docs.py"), "--source", args.source,
                            "--build", args.build, fixture], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        report = p.stdout.replace(os.path.join(HERE, ""), "")
        want_rc = 0 if name == "good.md" else 1
        missing = [t for t in EXPECT.get(name, []) if t not in report]
        if p.returncode != want_rc or missing:
            failures.append(f"{name}: exit {p.returncode} (expected {want_rc}), missing {missing}\n{report}")
        else:
            print(f"{name}: exit {p.returncode} as expected")
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
