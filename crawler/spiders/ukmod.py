from .articlecs import ArticleCSSpider


class UkmodSpider(ArticleCSSpider):
    """UK Ministry of Defence news on GOV.UK: found in its Atom feed, fetched from the
    Content API (the same crawl machinery: feeds, state, archive, versions)."""

    name = "ukmod"
    profile_id = "ukmod"
