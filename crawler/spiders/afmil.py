from .articlecs import ArticleCSSpider


class AfmilSpider(ArticleCSSpider):
    """af.mil news; a blocked article view is read through the ArticleCS print view."""

    name = "afmil"
    profile_id = "afmil"
