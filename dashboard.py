"""信访看板 — entry point: `streamlit run dashboard.py`.

The frame (page setup, st.navigation over pages/*.py, the global view in the sidebar mirrored in
the URL, presentation mode) is `pages._frame.frame`, shared with pages that run on their own.
"""
from pages._frame import frame, run_page

run_page(frame())
