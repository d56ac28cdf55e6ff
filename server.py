"""`streamlit run server.py`: the dashboard (dashboard.py) with its first views ready before
the first visitor.

Started as `streamlit run dashboard.py`, the server runs no code of ours until a browser
connects: the first visitor then waits for the Python imports, the demo database (on a fresh
clone) and 总览's first queries. Through this launcher (Streamlit's st.App), the server does
that work in its startup, before it accepts connections (pages._startup.prepare_server), and the
background warmer runs from then on. Everything else is dashboard.py's.
"""
import asyncio
import logging
from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def prepared(_app):
    from pages._startup import prepare_server  # here: sys.path holds the project once Streamlit runs us
    try:
        await asyncio.to_thread(prepare_server)
    except Exception:   # the dashboard must still open: the pages then say what is wrong
        logging.getLogger("xinfang").warning("preparing the first views failed", exc_info=True)
    yield


app = st.App("dashboard.py", lifespan=prepared)
