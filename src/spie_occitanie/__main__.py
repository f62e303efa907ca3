"""``python -m spie_occitanie``: the command line."""

from spie_occitanie.cli import main


raise SystemExit(main())
