#!/usr/bin/env bash
# Every relative link of the tracked Markdown files points at a file of the clone, and every
# `#anchor` at a heading of its target, so the documentation works from a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 - <<'PY'
import os, re, subprocess, sys

def anchors(path):
    """GitHub's heading slugs: lower case, punctuation dropped, spaces to hyphens."""
    out = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#+\s+(.*)", line)
            if m:
                slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
                out.add(slug)
    return out

broken = []
files = subprocess.run(["git", "ls-files", "*.md"], capture_output=True, text=True, check=True).stdout.split()
for md in files:
    text = open(md, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    for n, line in enumerate(text.splitlines(), 1):
        for target in re.findall(r"\]\(([^)\s]+)\)", line):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            full = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
            tracked = subprocess.run(["git", "ls-files", "--error-unmatch", "--", full],
                                     capture_output=True).returncode == 0
            if not tracked:
                broken.append(f"{md}:{n}: {target} (introuvable dans le dépôt)")
            elif anchor and full.endswith(".md") and anchor not in anchors(full):
                broken.append(f"{md}:{n}: {target} (ancre absente)")
for b in broken:
    print(b, file=sys.stderr)
sys.exit(1 if broken else 0)
PY
