from .articlecs import ArticleCSSpider


class UsfjSpider(ArticleCSSpider):
    """U.S. Forces Japan press releases (English, then the full Japanese translation)."""

    name = "usfj"
    profile_id = "usfj"
