from .articlecs import ArticleCSSpider


class WargovSpider(ArticleCSSpider):
    """war.gov releases (formerly defense.gov: both hosts are one site, keyed on the id)."""

    name = "wargov"
    profile_id = "wargov"
