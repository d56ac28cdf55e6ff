"""研判: 越级路径, the 预警名单, 热点诉求/新出现的问题/诉求群体 and 相似来访, from the cases
and the terms `ingest` stored. queries/research never imports streamlit; pages and the CLI call it."""
