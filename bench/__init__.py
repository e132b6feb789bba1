"""The tracker's tooling, kept out of the app: benchmarks, load tools and
synthetic data (issue 20).

A Django app installed only when the environment sets BENCH=1 (`make bench*`,
the README's synthetic-data commands) and in tests; see BENCH in
tracker/settings.py. It sits above the app: it imports `cases` and `tracker`,
and nothing in them imports it.
"""
