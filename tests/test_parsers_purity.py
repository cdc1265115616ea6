"""The parsers never import Scrapy: they must run on a saved file or a WARC record alone."""

import subprocess
import sys


def test_parsers_import_without_scrapy() -> None:
    code = (
        "import sys, crawler.parsers, crawler.parsers.listing, crawler.profiles, crawler.extract\n"
        "from crawler.parsers import parse\n"
        "parse('https://www.usfj.mil/Media/Press-Releases/Article-View/Article/1/x/', b'<p>')\n"
        "bad = sorted(m for m in sys.modules if m == 'scrapy' or m.startswith(('scrapy.', 'twisted')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
