from .articlecs import ArticleCSSpider


class JapanmodSpider(ArticleCSSpider):
    """Japan Ministry of Defense press releases (HTML and PDF)."""

    name = "japanmod"
    profile_id = "japanmod"
