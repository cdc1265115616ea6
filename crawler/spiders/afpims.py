from .articlecs import ArticleCSSpider


class AfpimsSpider(ArticleCSSpider):
    """Any AFPIMS (DNN ArticleCS) site: ``-a site=https://www.HOST.mil`` (or a mirror's
    origin). A host a bundled profile describes uses it; any other is described from its
    own pages first (``crawler/profiles/discovery.py``)."""

    name = "afpims"
