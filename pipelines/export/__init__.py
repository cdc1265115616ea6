"""Exports of what the runs wrote (JSON Lines and the state store): never a re-crawl."""
