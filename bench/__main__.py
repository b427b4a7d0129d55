"""`python -m bench [--only PART ...]`: run the benchmark parts, then write the report."""

from __future__ import annotations

import argparse
import importlib
import sys

from bench.report import PARTS, save_part, write_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=PARTS, help="ne lancer que ces parties")
    parser.add_argument("--report-only", action="store_true", help="réécrire le rapport sans mesurer")
    args = parser.parse_args(argv)
    failed = []
    if not args.report_only:
        for name in args.only or PARTS:
            module = importlib.import_module(f"bench.{name}")
            print(f"== {name} ==", flush=True)
            result = module.run()
            save_part(name, result)
            failed += [item["name"] for item in result.get("budgets", []) if not item["met"]]
    results_path, report_path = write_report()
    print(f"Résultats : {results_path}\nRapport : {report_path}")
    if failed:
        print("Budgets non tenus :\n  " + "\n  ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
