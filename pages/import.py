"""`/import` before any session has run st.navigation: the 数据导入 page under its URL name.

Until then (the first request after a server start) Streamlit treats `pages/` as a v1 pages
folder and finds a page by its file name; a shared link to /import would otherwise say "Page
not found". Not listed in the navigation, which maps "import" to data_import.py.
"""
import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).with_name("data_import.py")))
