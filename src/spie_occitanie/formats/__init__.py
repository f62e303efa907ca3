"""Publication formats, one module per format, both directions where both exist.

Each module imports its heavy library (frictionless, pyarrow, pandas) itself,
so that ``import spie_occitanie`` stays instant.
"""
