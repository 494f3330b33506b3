"""The `urbanmine` console script: Django's management commands with settings preset.

Commands may be written with hyphens (`urbanmine match-file`), as the contracts in
ARCHITECTURE.md spell them; they map onto the underscore module names Django needs.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmine.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
        # `urbanmine help import-ifc`: the command named after `help` too
        if argv[1] == "help" and len(argv) > 2 and not argv[2].startswith("-"):
            argv[2] = argv[2].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
