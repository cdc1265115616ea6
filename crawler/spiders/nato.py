from .articlecs import ArticleCSSpider


class NatoSpider(ArticleCSSpider):
    """NATO press releases, with their French twins."""

    name = "nato"
    profile_id = "nato"
