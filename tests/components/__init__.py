"""Components only tests plug into a crawl (``-s ITEM_PIPELINES=...``)."""
