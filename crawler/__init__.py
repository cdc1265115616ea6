"""Defense press crawler: DoD ArticleCS press releases into validated JSON and WARC."""

__version__ = "0.1.0"
