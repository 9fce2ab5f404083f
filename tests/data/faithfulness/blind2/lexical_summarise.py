#!/usr/bin/env python3
"""`zhaiyao summarise` with the faithfulness check cut to the lexical guard (bench/faithful_cost.py's
lexical mode): what the summariser wrote before the check was in the loop.

usage: lexical_summarise.py summarise ROWS.jsonl --format jsonl   (the arguments of `zhaiyao`)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "bench"))


def main() -> None:
    from faithful_cost import _lexical_only
    from zhaiyao.cli import main as zhaiyao

    _lexical_only()
    zhaiyao(sys.argv[1:])


if __name__ == "__main__":
    main()
