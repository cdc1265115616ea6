from .articlecs import ArticleCSSpider


class UsfkSpider(ArticleCSSpider):
    """U.S. Forces Korea press releases (English and Korean paragraphs interleaved)."""

    name = "usfk"
    profile_id = "usfk"
