"""Site profiles: unique ids, hosts that match, and one key per article whatever the link."""

from __future__ import annotations

import pytest

from crawler.profiles import all_profiles, generic_profile, get_profile, profile_for_url


def test_profile_ids_are_unique_and_match_their_hosts() -> None:
    profiles = all_profiles()
    assert set(profiles) >= {"usfj", "usfk", "wargov", "afmil"}
    hosts = [h for p in profiles.values() for h in p.hosts]
    assert len(hosts) == len(set(hosts)), "two profiles claim one host"
    for profile in profiles.values():
        assert profile.host in profile.hosts
        assert profile_for_url(profile.origin + "/") is profile
        if profile.platform == "articlecs":
            paths = [p for s in profile.all_sections() for p in s.article_paths]
            paths += [p for s in profile.all_sections() for p in s.legacy_article_paths]
            assert all(path.endswith("/Article/") for path in paths)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.war.gov/News/Releases/Release/Article/4012345/some-slug/",
        "http://www.defense.gov/News/Releases/Release/Article/4012345/some-slug//",
        "https://defense.gov/News/Releases/Release/Article/4012345/an-older-slug-that-changed/",
        "https://www.war.gov/News/Releases/Release/Article/4012345",
        "HTTPS://WWW.WAR.GOV/news/releases/release/article/4012345/some-slug/",
        # Where defense.gov kept releases in 2016-2018
        "https://dod.defense.gov/News/News-Releases/News-Release-View/Article/4012345/some-slug/",
        "http://defense.gov/Newsroom/Releases/Release/Article/4012345/some-slug",
    ],
)
def test_link_variants_share_one_key(url: str) -> None:
    profile = get_profile("wargov")
    assert profile_for_url(url) is profile
    key = profile.article_key(url)
    assert key is not None and key[0] == "4012345"
    assert profile.canonical_url(key.id, key.slug, key.path).startswith(
        "https://www.war.gov/News/Releases/Release/Article/4012345/"
    )


def test_af_mil_2016_urls_and_print_views() -> None:
    profile = get_profile("afmil")
    legacy = "http://www.af.mil/News/ArticleDisplay/tabid/223/Article/590267/four-star.aspx"
    assert profile.article_key(legacy) == (
        "590267",
        "four-star",
        "/News/Article-Display/Article/",
        "news",
    )
    printed = "http://www.af.mil/DesktopModules/ArticleCS/Print.aspx?PortalId=1&ModuleId=850&Article=643126"
    assert profile.article_key(printed) == (
        "643126",
        None,
        "/News/Article-Display/Article/",
        "news",
    )
    fact_sheet = profile.article_key(printed.replace("ModuleId=850", "ModuleId=854"))
    assert fact_sheet is not None and fact_sheet.kind == "fact_sheet"
    unknown_module = profile.article_key(printed.replace("ModuleId=850", "ModuleId=9999"))
    assert unknown_module is not None and unknown_module.id == "643126"
    assert unknown_module.kind is None  # the page's content decides
    assert profile.print_path("643126") == printed.removeprefix("http://www.af.mil")
    assert profile.canonical_url("590267", "four-star") == (
        "https://www.af.mil/News/Article-Display/Article/590267/four-star/"
    )


@pytest.mark.parametrize(
    ("url", "kind", "path"),
    [
        # DNN forms of older links and web-archive captures, on any AFPIMS host
        (
            "http://www.usfj.mil/Media/PressReleases/ArticleView/tabid/11402/Article/4236221/x.aspx",
            "release",
            "/Media/Press-Releases/Article-View/Article/",
        ),
        (
            "https://WWW.USFJ.MIL/MEDIA/PRESS-RELEASES/ARTICLE-VIEW/ARTICLE/4236221/X/",
            "release",
            "/Media/Press-Releases/Article-View/Article/",
        ),
        (
            "https://www.usfj.mil/Portals/80/Media/Press-Releases/Article-View/Article/4236221/x/",
            "release",
            "/Media/Press-Releases/Article-View/Article/",
        ),
        (
            "https://www.usfj.mil/DesktopModules/ArticleCS/Print.aspx?PortalId=80&ModuleId=1&Article=4236221",
            None,
            "/Media/Press-Releases/Article-View/Article/",
        ),
        (
            "https://www.usfj.mil/About/Leadership/Biographies/Article/4236221/x/",
            "biography",
            "/About/Leadership/Biographies/Article/",
        ),
        (
            "http://www.af.mil/News/Commentaries/Display/tabid/271/Article/4236221/x.aspx",
            "commentary",
            "/News/Commentaries/Display/Article/",
        ),
    ],
)
def test_old_and_odd_url_forms_key_to_the_same_id(url: str, kind: str | None, path: str) -> None:
    profile = profile_for_url(url)
    assert profile is not None
    key = profile.article_key(url)
    assert key is not None
    assert (key.id, key.kind, key.path) == ("4236221", kind, path)


def test_listing_pages_are_not_articles() -> None:
    profile = get_profile("usfj")
    assert profile.article_key("https://www.usfj.mil/Media/Press-Releases/") is None
    assert profile.article_key("https://www.usfj.mil/Media/Press-Releases/?Page=2") is None


def test_generic_profile_for_an_unknown_articlecs_host() -> None:
    profile = generic_profile(
        "https://www.example-command.mil/MEDIA/PRESS-RELEASES/Press-Release-View/Article/1/x/"
    )
    assert profile is not None
    assert profile.id == "example-command.mil"
    key = profile.article_key(
        "https://example-command.mil/MEDIA/PRESS-RELEASES/Press-Release-View/Article/7/"
    )
    assert key is not None and key.kind == "release"
    printed = generic_profile(
        "https://www.example-command.mil/DesktopModules/ArticleCS/Print.aspx?PortalId=3&ModuleId=9&Article=7"
    )
    assert printed is not None and printed.article_key(
        "https://www.example-command.mil/DesktopModules/ArticleCS/Print.aspx?PortalId=3&ModuleId=9&Article=7"
    ) == ("7", None, "/Article/", None)
    assert generic_profile("https://example.com/news/1") is None


def test_war_gov_contracts_keep_their_own_path_and_kind() -> None:
    profile = get_profile("wargov")
    key = profile.article_key("http://www.defense.gov/News/Contracts/Contract/Article/4016173//")
    assert key is not None and key.kind == "contract"
    assert profile.key_url(key) == "https://www.war.gov/News/Contracts/Contract/Article/4016173/"
    story = profile.article_key("https://www.war.gov/News/News-Stories/Article/Article/1/x/")
    assert story is not None and story.kind == "news"
    assert profile.listings_of(("release",)) == [("/News/Releases/", "release")]
    assert ("/News/Contracts/", "contract") in profile.listings_of(("release", "contract"))
