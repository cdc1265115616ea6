from .articlecs import ArticleCSSpider


class CentcomSpider(ArticleCSSpider):
    """U.S. Central Command press releases (experimental profile)."""

    name = "centcom"
    profile_id = "centcom"
