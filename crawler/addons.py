"""Project add-on: settings derived from other settings, for every spider of the project."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from crawler import SOFTWARE_URL, __version__


class ProjectIdentity:
    """Fill ``{version}`` and ``{contact}`` in USER_AGENT from CRAWLER_CONTACT (the
    software's page when none is set).

    An add-on runs after command-line settings are applied, so ``-s CRAWLER_CONTACT=…``
    reaches the User-Agent of ``scrapy crawl`` and ``scrapy runspider`` alike.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        template = settings.get("USER_AGENT") or ""
        if "{" not in template:
            return
        contact = settings.get("CRAWLER_CONTACT") or SOFTWARE_URL
        user_agent = template.format(version=__version__, contact=contact)
        settings.set("USER_AGENT", user_agent, priority=settings.getpriority("USER_AGENT") or 0)
