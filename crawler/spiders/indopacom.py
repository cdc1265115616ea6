from .articlecs import ArticleCSSpider


class IndopacomSpider(ArticleCSSpider):
    """U.S. Indo-Pacific Command news, its releases among them (experimental profile)."""

    name = "indopacom"
    profile_id = "indopacom"
