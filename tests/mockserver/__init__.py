"""Test servers run in subprocesses on 127.0.0.1 (Scrapy's own tests do the same)."""
