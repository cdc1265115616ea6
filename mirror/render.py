"""HTML of the mirror: each site's listing, article and feed markup, as the real sites render it.

Markup follows what is known of the real sites (shared/reference/SITES.md): the ArticleCS
article view (usfj, usfk, war.gov), af.mil's article display, war.gov's
``<listing-with-preview>`` listing, ArticleCS RSS, Akamai's block page and the DNN module
error.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from html import escape

from .site import MODULE_ERROR, MirrorRelease, MirrorSite

MODULE_ID = {"usfj": 1386, "usfk": 1501, "wargov": 2626, "afmil": 850}
BREADCRUMB = {
    "usfj": "Home : Media : Press Releases : Article View",
    "usfk": "Home : Media : Press Products : Press Releases",
    "wargov": "Home : News : Releases",
    "afmil": "Home : News",
}
_SHORT_MONTHS = {"Jan.": 1, "Feb.": 2, "Aug.": 8, "Sept.": 9, "Oct.": 10, "Nov.": 11, "Dec.": 12}


def published_at(release: MirrorRelease) -> datetime:
    """The printed date (and time, if any) as a datetime, for meta tags and RSS."""
    text = release.date
    for short, month in _SHORT_MONTHS.items():
        if text.startswith(short):
            text = text.replace(short, datetime(2000, month, 1).strftime("%B"), 1)
    stamp = datetime.strptime(text, "%B %d, %Y")
    if release.time:
        hour, minute = (int(x) for x in release.time.split(":"))
        stamp = stamp.replace(hour=hour, minute=minute)
    return stamp


def article_path(site: MirrorSite, release: MirrorRelease, legacy: bool = False) -> str:
    prefix = site.profile.legacy_article_paths[0] if legacy else site.profile.article_paths[0]
    suffix = f"{release.slug}.aspx" if legacy else f"{release.slug}/"
    return f"{prefix}{release.id}/{suffix}"


def page(site: MirrorSite, title: str, content: str, meta: str = "", lang: str = "en-US") -> str:
    profile = site.profile
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8" />
<title>
\t{escape(title)}
</title>
<meta id="MetaDescription" name="DESCRIPTION" content="{escape(profile.publisher)}" />
<meta id="MetaRobots" name="ROBOTS" content="INDEX, FOLLOW" />
<meta name="host" content="DMA Public Web" />
{meta}
<link rel="stylesheet" href="/Portals/_default/skins/AFPIMS/skin.css" />
</head>
<body>
<header class="site-header"><a class="logo" href="/">{escape(profile.publisher)}</a>
{_nav(site)}
</header>
<div class="breadcrumb">{escape(BREADCRUMB.get(site.id) or f"Home : {site.heading or 'News'}")}</div>
<main id="dnn_ContentPane">
{content}
</main>
<footer>
<div class="newsletter">Choose which {escape(profile.publisher)} products you want delivered to your inbox.
<a href="/Subscribe/">Subscribe</a></div>
<p>Hosted by Defense Media Activity - WEB.mil</p>
</footer>
</body>
</html>
"""


def _nav(site: MirrorSite) -> str:
    items = site.nav or [("Home", "/"), ("News", "/News/"), ("Media", "/Media/")]
    links = " ".join(f'<a href="{escape(path)}">{escape(text)}</a>' for text, path in items)
    return f'<nav class="mainnav">{links}</nav>'


def _module_id(site: MirrorSite) -> int:
    return MODULE_ID.get(site.id) or 3000 + sum(map(ord, site.id)) % 1000


def module(site: MirrorSite, name: str, inner: str) -> str:
    mid = _module_id(site)
    return f"""<div class="DnnModule DnnModule-ArticleCS{name} DnnModule-{mid}"><a name="{mid}"></a>
<div class="container"><h2 class="Title"><span id="dnn_ctr{mid}_dnnTitle_titleLabel" class="tt">ArticleCS - Article View</span></h2>
<div id="dnn_ctr{mid}_ContentPane"><!-- Start_Module_{mid} -->
<div id="dnn_ctr{mid}_ModuleContent" class="DNNModuleContent ModArticleCS{name}C">
{inner}
</div><!-- End_Module_{mid} -->
</div></div></div>"""


# ---- articles ------------------------------------------------------------------------------


def body_html(release: MirrorRelease, style: str) -> str:
    """Body paragraphs in one of the markup shapes seen on the sites: <p>, <br> or Word paste."""
    dateline = ""
    if release.dateline:
        dateline = f"{escape(release.dateline)} {release.dash}"
    paragraphs = [escape(p) for p in release.paragraphs]
    if style == "br":
        first = f"<strong>{dateline} </strong>" if dateline else ""
        return first + "<br /><br />".join(paragraphs) + "<br />"
    if style == "word":
        lead = f"{dateline} " if dateline else ""
        paras = [
            f'<p class="MsoNormal"><span style="font-size:12pt">{p}</span><o:p></o:p></p>'
            for p in paragraphs
        ]
        if paras:
            paras[0] = paras[0].replace('12pt">', f'12pt">{lead}', 1)
        return (
            "<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->"
            "<style>p.MsoNormal {margin:0in;}</style>" + "\n".join(paras)
        )
    items = [f"<p>{p}</p>" for p in paragraphs]
    if dateline and release.dateline_paragraph:
        items.insert(0, f"<p>{dateline}</p>")
    elif dateline and items:
        items[0] = f"<p>{dateline} {paragraphs[0]}</p>"
    return "\n".join(items)


def _images(release: MirrorRelease, css: str) -> str:
    blocks = []
    for image in release.images:
        img = f'<img src="{escape(image["src"])}" alt="{escape(image.get("alt", ""))}" />'
        caption = escape(image.get("caption", ""))
        if css == "item":
            blocks.append(f'<div class="item">{img}<p>{caption}</p></div>')
        else:
            blocks.append(
                f'<div class="image">{img}<div class="image-caption">{caption}</div></div>'
            )
    return "\n".join(blocks)


def _tags(site: MirrorSite, release: MirrorRelease, css: str = "tags") -> str:
    links = "\n".join(
        f'<a href="{site.profile.listings[0]}Tag/{40000 + i}/{escape(tag.lower().replace(" ", "-"))}/">'
        f"{escape(tag)}</a>"
        for i, tag in enumerate(release.tags)
    )
    return f'<div class="{css}">{links}</div>' if release.tags else ""


def _og(site: MirrorSite, release: MirrorRelease, title: str) -> str:
    url = f"{site.profile.origin}{article_path(site, release)}"
    image = release.images[0]["src"] if release.images else ""
    return (
        f'<meta property="og:title" content="{escape(title)}" />\n'
        f'<meta property="og:url" content="{escape(url)}" />\n'
        f'<meta property="og:type" content="article" />\n'
        f'<meta property="og:site_name" content="{escape(site.profile.publisher)}" />\n'
        f'<meta property="og:image" content="{escape(image)}" />\n'
        f'<meta name="twitter:card" content="summary_large_image" />\n'
        f'<meta name="twitter:title" content="{escape(title)}" />'
    )


def article_view(site: MirrorSite, release: MirrorRelease, style: str, variant: int) -> str:
    """The ArticleCS article view (usfj, usfk, war.gov skins)."""
    if release.status == MODULE_ERROR:
        return module_error(site)
    number_line = (
        f'<span class="category">{escape(release.number)}</span> | {escape(release.date)}'
        if release.number
        else (f"Release | {escape(release.date)}" if site.id == "wargov" else escape(release.date))
    )
    meta_date = ""
    if release.time:
        meta_date = published_at(release).strftime("%Y-%m-%dT%H:%M:%S") + ".0000000"
    elif variant % 2 == 0 and release.dateline_paragraph is False:
        meta_date = release.date if "." not in release.date.split(" ")[0] else ""
    title_css = 'class="maintitle"' if site.id == "wargov" else 'itemprop="headline"'
    images = _images(release, "item" if site.id == "usfk" else "image")
    inner = f"""<div class="article-view" itemscope="itemscope" itemtype="http://schema.org/NewsArticle">
<div class="adetail" id="news-content">
{f'<meta itemprop="datePublished" content="{meta_date}" />' if meta_date else ""}
<h1 {title_css}>{escape(release.title)}</h1>
<div class="category-date">{number_line}</div>
{images}
<div class="body" itemprop="articleBody">
{body_html(release, style)}
</div>
{_tags(site, release)}
</div>
</div>"""
    return page(
        site,
        f"{release.title} > {site.profile.publisher} > Article View",
        module(site, "View", inner),
        _og(site, release, release.title),
    )


def article_display(site: MirrorSite, release: MirrorRelease, style: str) -> str:
    """af.mil's article display skin: header h1, a meta list "Published • By … • unit"."""
    if release.status == MODULE_ERROR:
        return module_error(site)
    stamp = published_at(release)
    by_items = ""
    if release.byline:
        parts = (
            release.byline.rsplit(", ", 1) if release.byline.startswith("By ") else [release.byline]
        )
        by_items = "".join(f"<li>{escape(part)}</li>" for part in parts)
    tags = "\n".join(
        f'<a class="article-detail-tag" href="/News/Tag/{50000 + i}/">{escape(t)}</a>'
        for i, t in enumerate(release.tags)
    )
    figures = "\n".join(
        f'<li class="slide"><figure><a class="fancybox-item" href="{escape(im["src"])}">'
        f'<img src="{escape(im["src"])}" alt="{escape(im.get("alt", ""))}" /></a>'
        f"<figcaption><p>{escape(im.get('caption', ''))}</p></figcaption></figure></li>"
        for im in release.images
    )
    inner = f"""<article class="article-detail">
<header><h1>{escape(release.title)}</h1>
<div class="meta"><ul>
<li><time datetime="{stamp.strftime("%Y-%m-%dT%H:%M:%S") if release.time else stamp.date().isoformat()}">Published {escape(release.date)}</time></li>
{by_items}
</ul></div>
</header>
{f'<div class="media-gallery"><ul class="slides">{figures}</ul></div>' if figures else ""}
<section class="article-detail-content">
{body_html(release, style)}
</section>
<footer class="article-tags">{tags}</footer>
</article>"""
    return page(
        site,
        f"{release.title} > Air Force > Article Display",
        module(site, "Display", inner),
        _og(site, release, release.title),
    )


def module_error(site: MirrorSite) -> str:
    mid = _module_id(site)
    inner = f"""<div id="dnn_ctr{mid}_ctl00_dnnSkinMessage" class="dnnFormMessage dnnFormValidationSummary">
<span id="dnn_ctr{mid}_ctl00_lblHeading" class="dnnModMessageHeading">An error has occurred.</span>
<span id="dnn_ctr{mid}_ctl00_lblMessage">Error: ArticleCS - Article View is currently unavailable.</span>
</div>"""
    return page(site, "ArticleCS - Article View", module(site, "View", inner))


def akamai_block(url: str) -> str:
    """Akamai's block page: entity-encoded URL and reference number, served with 200."""
    encoded = "".join(f"&#{ord(c)};" if c in ":/.-?" else c for c in url.replace("https:", "http:"))
    return f"""<HTML><HEAD>
<TITLE>Access Denied</TITLE>
</HEAD><BODY>
<H1>Access Denied</H1>
{" "}
You don't have permission to access "{encoded}" on this server.<P>
Reference&#32;&#35;18&#46;73cfdb17&#46;1784462921&#46;702954a2
<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;73cfdb17&#46;1784462921&#46;702954a2</P>
</BODY>
</HTML>
"""


def cloudflare_challenge() -> str:
    return """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body>
<div class="main-wrapper"><h1>www.example.mil</h1>
<p>Verify you are human by completing the action below.</p>
<noscript>Enable JavaScript and cookies to continue</noscript></div>
<script>window._cf_chl_opt={cvId: '3', cType: 'managed'};</script>
</body></html>
"""


def javascript_shell(site: MirrorSite) -> str:
    """The listing's chrome around an empty mount point: the links come from a script."""
    inner = '<div id="app" data-module="ArticleListing"></div><script src="/app.js"></script>'
    return page(site, f"{site.profile.publisher} > News", module(site, "Article", inner))


# ---- listings and feeds --------------------------------------------------------------------


def pager(site: MirrorSite, current: int) -> str:
    path = site.profile.listings[0]
    items = []
    if current > 1:
        items.append(
            f'<li><a href="{path}?Page={current - 1}" aria-label="Previous">&lsaquo;</a></li>'
        )
    for number in range(1, site.pages() + 1):
        active = ' class="active"' if number == current else ""
        items.append(f'<li{active}><a href="{path}?Page={number}"><span>{number}</span></a></li>')
    if current < site.pages():
        items.append(f'<li><a href="{path}?Page={current + 1}" aria-label="Next">&rsaquo;</a></li>')
    return f'<div class="pager"><ul class="pagination">{"".join(items)}</ul></div>'


def listing_item(site: MirrorSite, release: MirrorRelease, index: int) -> str:
    href = article_path(site, release)
    title = escape(release.title)
    if site.item_style:
        return _styled_item(site, release, href, title)
    if site.id == "usfj":
        return (
            f'<div class="item"><a id="atitle" href="{site.profile.origin}{href}">{title}</a>'
            f'<div class="date">{escape(release.date)}</div></div>'
        )
    if site.id == "usfk":
        if release.pinned:
            return f'<div class="pinned"><p class="title"><a href="{href}">{title}</a></p></div>'
        return (
            f'<div class="item"><a class="ex-link" href="{href}">{title}</a>'
            f'<span class="date">{escape(release.date)}</span></div>'
        )
    if site.id == "wargov":
        # Listing attributes mix hosts and schemes and sometimes end in "//".
        host = ("http://www.defense.gov", "https://www.war.gov", "https://www.defense.gov")[
            index % 3
        ]
        url = f"{host}{href}" + ("/" if index % 4 == 1 else "")
        stamp = published_at(release)
        return (
            f'<feature-template><listing-with-preview article-id="{release.id}" '
            f'article-title="{title}" article-url="{escape(url)}" '
            f'publish-date-ap="{escape(release.date)}" '
            f'publish-date-jss="{stamp.strftime("%Y-%m-%dT%H:%M:%S")}" '
            f'content-type-name="News Release" content-type-val="9" item-index="{index + 1}">'
            f"</listing-with-preview></feature-template>"
        )
    # afmil: ul.article-listing; the real 2016 articles keep their 2016 URLs.
    if release.print_file:
        href = article_path(site, release, legacy=True)
    return (
        f'<li><h1><a href="{href}">{title}</a></h1>'
        f'<time>{escape(release.date)}</time><div class="summary"><p>'
        f"{escape(release.paragraphs[0][:200]) if release.paragraphs else ''}</p></div></li>"
    )


def listing(
    site: MirrorSite, number: int, half: bool = False, aliases: bool = False, endless: bool = False
) -> str:
    """A listing page; ``half``: with half its items left out (the pager kept); ``aliases``:
    each release linked under several URLs; ``endless``: past the last full page, full
    pages from the start again, and a link to the next page, forever."""
    releases = site.page(number)
    if endless and len(releases) < site.page_size:
        full_pages = max(1, len(site.listed()) // site.page_size)
        releases = site.page((number - 1) % full_pages + 1)
    releases = releases[: len(releases) // 2] if half else releases
    items = [listing_item(site, r, i) for i, r in enumerate(releases)]
    if aliases:
        items += [alias for r in releases for alias in _aliases(site, r)]
    pinned = [listing_item(site, r, 0) for r in site.pinned()]
    if site.id == "wargov":
        body = f'<div class="alist"><div class="alist-inner">{"".join(items)}</div></div>'
    elif site.item_style:
        body = _styled_listing(site, items)
    elif site.id == "afmil":
        body = f'<ul class="article-listing">{"".join(items)}</ul>'
    else:
        body = f'<div class="alist">{"".join(pinned + items)}</div>'
    # A sidebar that links articles outside the listing: selectors must not pick it up.
    sidebar = ""
    if site.listed():
        newest = site.listed()[0]
        sidebar = (
            f'<aside class="most-popular"><h3>Most Popular</h3>'
            f'<a href="{article_path(site, newest)}">{escape(newest.title)}</a></aside>'
        )
    inner = body + pager(site, number) + sidebar
    if endless:
        inner += f'<a class="next" href="{site.profile.listings[0]}?Page={number + 1}">Next</a>'
    return page(site, f"{site.profile.publisher} > News", module(site, "Article", inner))


def _styled_item(site: MirrorSite, release: MirrorRelease, href: str, title: str) -> str:
    """Listing items of the named and unnamed AFPIMS sites (mirror/platform.py)."""
    date = escape(release.date)
    if site.item_style == "centcom":
        return (
            f'<div class="item"><div class="title"><a href="{href}">{title}</a></div>'
            f'<div class="info-bar"><span class="date">{date}</span></div></div>'
        )
    if site.item_style == "indopacom":
        stamp = published_at(release).strftime("%d %B %Y")
        return (
            f'<article class="grid-item content-box item item-{release.id}">'
            f'<p class="author-dateline">{stamp}</p><div class="inner"><div class="a-summary">'
            f'<a href="{href}"><h1 class="content-box-header">{title}</h1></a>'
            f'<p class="content-box-blurb">{escape(release.paragraphs[0][:160])}</p>'
            f"</div></div></article>"
        )
    if site.item_style == "platform-a":
        return (
            f'<div class="item"><a class="title" href="{href}">{title}</a>'
            f'<span class="date">{date}</span></div>'
        )
    return f'<li><span class="title"><a href="{href}">{title}</a></span> <em>{date}</em></li>'


def _styled_listing(site: MirrorSite, items: list[str]) -> str:
    heading = f'<h1 class="title">{escape(site.heading)}</h1>' if site.heading else ""
    if site.item_style == "centcom":
        return f'{heading}<div class="alist newsrelease">{"".join(items)}</div>'
    if site.item_style == "indopacom":
        return f'{heading}<div class="grid">{"".join(items)}</div>'
    if site.item_style == "platform-a":
        return f'{heading}<div class="alist">{"".join(items)}</div>'
    return f'{heading}<ul class="listing">{"".join(items)}</ul>'


def home(site: MirrorSite) -> str:
    """A home page: the menu, the newest items of each section, the release feed."""
    blocks = []
    for section in (site, *site.siblings):
        if not section.featured:
            continue
        links = "".join(
            f'<li><a href="{article_path(section, r)}">{escape(r.title)}</a></li>'
            for r in section.listed()[: section.featured]
        )
        more = f'<a class="more" href="{section.profile.listings[0]}">More</a>'
        blocks.append(f'<section class="latest"><h2>Latest</h2><ul>{links}</ul>{more}</section>')
    feeds = "".join(
        f'<link rel="alternate" type="application/rss+xml" title="{escape(site.heading)}" '
        f'href="{escape(feed.path())}" />'
        for feed in site.profile.feeds
    )
    title = f"{site.profile.publisher} > Home"
    return page(site, title, f'<div class="home">{"".join(blocks)}</div>', feeds)


def plain_page(site: MirrorSite, path: str) -> str:
    """An About, Contact or landing page: the mirror's HTML for it."""
    name = path.strip("/").split("/")[-1].replace("-", " ").title()
    fragment = site.pages_by_path[path]  # the mirror's own HTML (a landing page's links)
    return page(site, f"{name} > {site.profile.publisher}", f"<h1>{name}</h1>{fragment}")


def _aliases(site: MirrorSite, release: MirrorRelease) -> list[str]:
    """Links to one release under other URLs: another slug, upper case, http, a query."""
    path = article_path(site, release)
    host = site.profile.host
    other_slug = path.replace(f"/{release.slug}/", "/another-title/")
    forms = [other_slug, path.upper(), f"http://{host}{path}", f"{path}?utm_source=feed"]
    return [
        f'<li><h1><a href="{escape(url)}">{escape(release.title)}</a></h1></li>' for url in forms
    ]


def hostile_feed(feed: str, kind: str) -> str:
    """The feed with an external entity (``xxe``) or a billion-laughs DTD (``laughs``)."""
    if kind == "xxe":
        dtd = '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        feed = feed.replace("<title>", "<title>&secret;", 1)
    else:
        levels = '<!ENTITY l0 "lol">' + "".join(
            f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 10)
        )
        dtd = f"<!DOCTYPE rss [{levels}]>"
        feed = feed.replace("<title>", "<title>&l9;", 1)
    head, _, rest = feed.partition("?>")
    return f"{head}?>{dtd}{rest}"


def rss(site: MirrorSite, origin: str) -> str:
    items = []
    for release in site.listed()[:100]:
        if release.print_file:
            continue
        link = f"{origin}{article_path(site, release)}"
        creator = release.byline or site.profile.publisher
        items.append(f"""<item>
<title>{escape(release.title)}</title>
<link>{escape(link)}</link>
<description>{escape(release.paragraphs[0][:300] if release.paragraphs else "")}</description>
<pubDate>{format_datetime(published_at(release))}</pubDate>
<dc:creator>{escape(creator)}</dc:creator>
<guid isPermaLink="false">{escape(link)}</guid>
</item>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>{escape(site.profile.publisher)}</title>
<link>{escape(origin)}</link>
<description>{escape(site.profile.publisher)} RSS Feed</description>
<language>en-us</language>
{"".join(items)}
</channel></rss>
"""


def robots_txt(site: MirrorSite, origin: str) -> str:
    return f"""User-agent: *
Disallow: /Admin/
Disallow: /DesktopModules/Admin/
Disallow: /Search/
Disallow: /*/Tag/

Sitemap: {origin}/sitemap.xml
"""


def govuk_atom(site: MirrorSite, origin: str) -> str:
    """GOV.UK's Atom feed of an organisation's news and communications, newest first."""
    import json

    documents = [json.loads(body) for body in site.documents.values()]
    documents.sort(key=lambda d: str(d.get("public_updated_at")), reverse=True)
    entries = "".join(
        f"""<entry><id>tag:www.gov.uk,2005:{escape(str(d.get("content_id")))}</id>
<updated>{escape(str(d.get("public_updated_at")))}</updated>
<link rel="alternate" type="text/html" href="https://www.gov.uk{escape(d["base_path"])}"/>
<title>{escape(str(d.get("title")))}</title>
<summary type="html">{escape(str(d.get("description") or ""))}</summary></entry>
"""
        for d in documents
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<id>https://www.gov.uk/search/news-and-communications</id>
<link rel="self" type="application/atom+xml" href="{escape(origin)}/search/news-and-communications.atom"/>
<link rel="alternate" type="text/html" href="https://www.gov.uk/search/news-and-communications"/>
<updated>{escape(str(documents[0].get("public_updated_at")) if documents else "")}</updated>
<title>News and communications - Ministry of Defence</title>
{entries}</feed>
"""
