"""Defense press crawler: DoD ArticleCS press releases into validated JSON and WARC."""

__version__ = "0.1.0"
# The software, named in the User-Agent when no operator contact is set (not an operator).
SOFTWARE_URL = "https://github.com/defense-press-crawler/defense-press-crawler"
