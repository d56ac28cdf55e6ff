"""What server.py runs before the server takes its first visitor. Above pages._data and
pages._frame (it imports both), so the layers below it never import upward."""
from __future__ import annotations

from pages._data import build_demo_if_missing, db_path, start_warmer, warm_every


def prepare_server() -> None:
    """The demo database where there is none, the warmer's first tick (总览's default views,
    county and townships, computed into the caches), and the modules every page run imports."""
    build_demo_if_missing(db_path())
    if warm_every():   # 0: the warmer is off (the tests that count queries)
        start_warmer().tick()
    import pages._frame  # noqa: F401  (and through it the widgets, the state, the sign-in)
