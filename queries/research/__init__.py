"""研判 from the text of 信访事由: terms per case (computed at import), 热点诉求, 新出现的问题,
诉求群体 and 相似来访. queries/research never imports streamlit; pages and the CLI call it."""
