#!/usr/bin/python3
"""Checks that the documentation stays true (run by scripts/setup_and_test.sh):
  - README.md opens with its title and the two commands, and is under 170 lines;
  - every section the README once held is still a heading in README.md or under docs/;
  - every relative link and image in README.md and docs/**/*.md points at a file that exists;
  - every repository path in a `code span` of docs/architecture.md exists (its "to add ..." lists).
Exit 1 with one line per problem."""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# The README's sections before it was split into docs/ (issue 24): each must still exist somewhere.
SECTIONS = [
    "The model", "How it is computed", "Regimes: read before fitting slopes",
    "Theory at scale: exponents measured, and the regime map", "Using it",
    "What sgdlaw guarantees about interrupted, concurrent and corrupted runs", "Configuration keys",
    "The CUDA backend", "Schedules: which one wins, and the optimal one",
    "Optimizers: momentum and DANA, with exact curves", "Random numbers and reproducibility", "Numerics",
    "Sweeps, fits and plots", "Fit keys", "In Python (pandas)", "Data reuse: multi-pass SGD over a finite dataset",
    "Clusters: MPI ranks, or shards and merge", "The reproduction (Lin et al. 2024)", "Layout", "Benchmarks",
    "Batch size: the critical batch size and the gradient noise scale",
]
PATH_ROOTS = ("src/", "include/", "kernels/", "tests/", "bench/", "configs/", "scripts/", "python/", "docs/",
              "examples/", ".ci/")


def markdown_files():
    out = [os.path.join(ROOT, "README.md")]
    for base, _, files in os.walk(os.path.join(ROOT, "docs")):
        out += [os.path.join(base, f) for f in sorted(files) if f.endswith(".md")]
    return out


def main():
    problems = []
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read().splitlines()
    if len(readme) >= 170:
        problems.append(f"README.md has {len(readme)} lines (at most 169)")
    if not readme or readme[0] != "# sgdlaw":
        problems.append("README.md does not open with its title '# sgdlaw'")
    commands = [line for line in readme[:12] if line.startswith("bash scripts/")]
    if len(commands) != 2:
        problems.append(f"README.md's opening block has {len(commands)} commands, not the two set-up commands")
    headings = set()
    for path in markdown_files():
        text = open(path, encoding="utf-8").read()
        text_no_code = re.sub(r"```.*?```", "", text, flags=re.S)  # a "# comment" in a code block is no heading
        for m in re.finditer(r"^#+\s+(.*?)\s*$", text_no_code, re.M):
            headings.add(m.group(1))
        for m in re.finditer(r"\]\(([^)\s]+)\)", text_no_code):
            target = m.group(1).split("#")[0]
            if not target or re.match(r"^[a-z]+:", target):
                continue
            if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(path), target))):
                problems.append(f"{os.path.relpath(path, ROOT)}: link to '{m.group(1)}', which does not exist")
    for s in SECTIONS:
        if s not in headings:
            problems.append(f"the section '{s}' is no longer a heading in README.md or docs/")
    arch = open(os.path.join(ROOT, "docs", "architecture.md"), encoding="utf-8").read()
    for m in re.finditer(r"`([^`\s]+)`", arch):
        p = m.group(1)
        if "<" in p or not p.startswith(PATH_ROOTS):
            continue
        if not os.path.exists(os.path.join(ROOT, p)):
            problems.append(f"docs/architecture.md names '{p}', which does not exist")
    for p in problems:
        print("check_docs: " + p)
    if problems:
        sys.exit(1)
    print(f"docs: README {len(readme)} lines, {len(SECTIONS)} sections found, links and architecture paths exist")


if __name__ == "__main__":
    main()
