from .articlecs import ArticleCSSpider


class CanadadndSpider(ArticleCSSpider):
    """National Defence (Canada) news on canada.ca, with their French twins."""

    name = "canadadnd"
    profile_id = "canadadnd"
