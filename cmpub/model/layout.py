"""The names cmpub gives its own files in ``dist/`` and ``ledger/``: every writer takes them here.

A post's page is ``dist/<slug>/index.html``; its copies, images and outbox payloads are under
``dist/copies/<id>/``, ``dist/media/<id>/`` and ``dist/outbox/<id>/``; its records under
``ledger/<id>/``. Beside the posts, the site, the build and the outbox write the files and
folders named here. :mod:`cmpub.model.ids` refuses a post whose id or page address would land on one
of them (a post ``tags`` would replace the list of tags), and ``tests/model/test_ids.py`` builds and
deploys a whole site to check that every name the writers use is listed here.
"""

from __future__ import annotations

import re

from cmpub.platforms import CHANNELS

# ----------------------------------------------------------------------- dist/, at the top

HOME = "index.html"  # also the page of each post, inside its folder
NOT_FOUND = "404.html"
RSS = "feed.xml"
ATOM = "atom.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
STYLESHEET = "style.css"
PAGES = "page"  # page/2/index.html, ...: the home page's next pages
TAGS = "tags"  # tags/index.html and tags/<tag>/index.html
BRAND = "brand"  # brand/logo.png
LOGO = f"{BRAND}/logo.png"
MANIFEST = "manifest.json"
COPIES = "copies"  # copies/<id>/<channel>.txt
MEDIA = "media"  # media/<id>/<nn>-<image>.<channel>.jpg
CONTACT = "contact"  # contact/<id>.jpg: every image variant of a post (build --contact-sheet)
OUTBOX = "outbox"  # outbox/<id>/<channel>-<part>.json, written by deploy
OUTBOX_JOURNAL = "journal.jsonl"  # outbox/journal.jsonl, beside the posts' folders

#: Every name above that sits at the top of ``dist/`` or of a folder that holds posts' folders
#: (``outbox/``): a post id or address may not start with one (compared ignoring case).
TOP_NAMES = frozenset(
    {
        HOME,
        NOT_FOUND,
        RSS,
        ATOM,
        SITEMAP,
        ROBOTS,
        STYLESHEET,
        PAGES,
        TAGS,
        BRAND,
        MANIFEST,
        COPIES,
        MEDIA,
        CONTACT,
        OUTBOX,
        OUTBOX_JOURNAL,
    }
)

# ------------------------------------------------------------ inside a post's own folders

_CH = "|".join(re.escape(c) for c in (*CHANNELS, "og", "site-phone"))
#: The files cmpub writes inside a post's folders: its page (``index.html``), its copies
#: (``x.txt``), its ledger records and outbox payloads (``x-0.json``, with the images beside
#: them as ``x-0-1.jpg``) and its image variants (``01-photo.x.jpg``).
POST_FILE = re.compile(
    rf"index\.html|(?:{_CH})\.txt|(?:{_CH})-\d+\.json|(?:{_CH})-\d+-\d+\.\w+|\d+-.+\.(?:{_CH})\.jpg",
    re.IGNORECASE,
)


def is_post_file(name: str) -> bool:
    """True when ``name`` is a file name cmpub writes inside a post's folders."""
    return POST_FILE.fullmatch(name) is not None
