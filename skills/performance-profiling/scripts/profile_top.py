"""Print the top functions of a cProfile output file.

Usage: python profile_top.py out.prof [N]
Shows the N (default 20) functions with the highest cumulative time, then
the N with the highest self time.
"""

import pstats
import sys


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    stats = pstats.Stats(sys.argv[1])
    stats.strip_dirs()
    print(f"== top {limit} by cumulative time ==")
    stats.sort_stats("cumulative").print_stats(limit)
    print(f"== top {limit} by self time ==")
    stats.sort_stats("tottime").print_stats(limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
