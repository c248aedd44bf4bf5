"""``make bench``: run every benchmark in scripts/bench/ (each module with a ``main()``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import scripts.bench as package

SKIP = {"common", "run", "bare_app"}


def main() -> int:
    selected = set(sys.argv[1:])
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in SKIP or (selected and info.name not in selected):
            continue
        module = importlib.import_module(f"scripts.bench.{info.name}")
        print(f"\n=== {info.name} ===", flush=True)
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
