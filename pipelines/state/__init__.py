"""The crawl state: an SQLite store of what earlier runs saw, for incremental recrawls."""
