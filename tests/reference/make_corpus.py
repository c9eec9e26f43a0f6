"""Write ``corpus.json``: the hard texts that the platform counters are checked against.

The corpus is the input of the differential test: ``reference.mjs`` runs every text through
the official JavaScript libraries (twitter-text 3.1.0, @atproto/api RichText) and a rebuild of
Mastodon's rule, and ``tests/platforms/test_reference.py`` asserts that cmpub's Python counters
agree on every one. Run ``python tests/reference/make_corpus.py`` after editing; the output is
deterministic (fixed seed, fixed order, duplicates dropped), so a diff shows what changed.

Decisions recorded here:

* **CRLF.** cmpub normalises ``\\r\\n`` to ``\\n`` when it loads a post, but the counters are
  pure functions that must agree with the JavaScript libraries on *any* input, so the corpus
  keeps CRLF, lone CR and other line separators verbatim and the Python side does not
  normalise them (twitter-text-parser 3.0.0 does, and is therefore not used for counting).
* **No lone surrogates.** They cannot be encoded as UTF-8, so they can reach neither a post
  file nor a platform; JavaScript and Python would disagree on them for that reason alone.
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20260801

# --- building blocks -------------------------------------------------------------------------

ZWJ = "\u200d"
VS15 = "\ufe0e"
VS16 = "\ufe0f"
SKIN = ["\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff"]
FAMILY = "👨‍👩‍👧‍👦"
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
WALES = "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"
# twitter-text conformance: "160 CJK char, overflow at char index 140"
CJK_POEM = (
    "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。"
    "旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
    "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。"
    "遥知兄弟登高处，遍插茱萸少一人。"
)
# A tag sequence that is not a recommended flag (Texas): valid grapheme, unknown to twemoji 11.
TEXAS = "\U0001f3f4\U000e0075\U000e0073\U000e0074\U000e0078\U000e007f"

# fmt: off
EMOJI = [
    "😀", "😷", "🙂", "❤", "❤️", "❤︎", "💔", "🔥", "🎉", "👍", "👍🏽", "👋🏿", "🙋🏽", "🙋‍♀️", FAMILY, "👨‍👩‍👧",
    "👩‍👩‍👦‍👦", "👨‍❤️‍👨", "👩‍❤️‍💋‍👩", "👨‍💻", "👩🏾‍💻", "👩‍🚀", "🧑‍🍳", "👨‍⚕️", "👨‍⚕", "👩‍⚖️", "🧑‍🤝‍🧑",
    "🧑🏻‍🤝‍🧑🏿", "🏳️‍🌈", "🏳‍🌈", "🏳️‍⚧️", "🏴‍☠️", "🐦‍🔥", "🍋‍🟩", "🙂‍↔️", "🧑‍🧑‍🧒", "🫨", "🫶🏼", "🪿", "🧌",
    "🥹", "🫠", "🇫🇷", "🇬🇧", "🇺🇸", "🇯🇵", "🇺🇦", "🇪🇺", "🇺🇳", "🇦", "🇦🇧", "🇫🇷🇫", ENGLAND, SCOTLAND, WALES,
    TEXAS, "#️⃣", "#⃣", "*️⃣", "0️⃣", "1️⃣", "9⃣", "🔟", "☕", "☕️", "☕︎", "⚡", "⚡️", "⚽️", "❗️",
    "⭐️", "⭐", "♾", "♾️", "©", "©️", "®", "®️", "™", "™️", "♟", "♟️", "☺", "☺️", "✌", "✌️", "✌🏻",
    "☝️", "☝🏾", "⛹️‍♀️", "⛹🏽‍♂️", "🏋️‍♀️", "🕵️‍♂️", "👁‍🗨", "👁️‍🗨️", "⏩", "⏩️", "⌚", "⌚️", "↔",
    "↔️", "▶", "▶️", "〰️", "〽", "㊗️", "🅰", "🅰️", "🈁", "🀄", "\ue50a", "\u2640\ufe0f", "\u2642",
    "\u2695\ufe0f", "🫱🏻‍🫲🏿", "🧔‍♂️", "🦸🏽‍♀️",
]

COMBINING = [
    "e\u0301", "é", "E\u0301", "A\u0301", "Á", "n\u0303", "o\u0308\u0304", "Z\u0351\u036b\u0343",
    "Z̵̡̢̛̗̘̙̜̝̞̟̠̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌͘͜͟͢͝͞͠ͅ", "a\u0300\u0301\u0302\u0303\u0304", "क्षि",
    "क्ष", "न्द्र", "ಕ್ಷ", "ক্ষ", "த்", "ශ්‍රී", "กำ", "น้ำ", "ฟ้า", "ไทย", "ᄒ\u1161\u11ab",
    "ᄀ\u1161", "한", "\u1100\u1161\u11a8", "각", "\u0915\u094d\u200d", "\u0d15\u0d4d\u0d37",
    "\u0627\u064b", "\u05e9\u05c1\u05b8", "Å", "\u212b", "\u00c5", "A\u030a", "\u1e9b\u0323",
    "\u0041\u0308\u0301", "\ufb01", "\u2126", "\u212a",
]

SCRIPTS = [
    "日本語のテキスト", "東京タワー", "カタカナ", "ひらがな", "中文文本", "漢字", "한국어 텍스트", "서울특별시", "العربية",
    "مرحبا بالعالم", "עברית", "שלום עולם", "Ελληνικά", "Русский текст", "Українська", "ქართული",
    "Հայերեն", "हिन्दी", "தமிழ்", "ภาษาไทย", "ພາສາລາວ", "မြန်မာ", "ᠮᠣᠩᠭᠣᠯ", "ትግርኛ", "ᏣᎳᎩ", "𐐀𐐨",
    "𝕳𝖊𝖑𝖑𝖔", "𝒜𝒷𝒸", "Ⅻ", "①②③", "½", "ﬁ", "ǅ", "ß", "ẞ", "İstanbul", "ıi", "ſ", "Ωμέγα", "ς", "ϑ",
    "µ", "Ⓐ", "ℌ", "ｆｕｌｌｗｉｄｔｈ", "ﾊﾝｶｸ",
]

SPACES = [
    " ", "\t", "\n", "\r\n", "\r", "\u000b", "\u000c", "\u0085", "\u00a0", "\u1680", "\u2000",
    "\u2003", "\u2009", "\u200a", "\u200b", "\u200c", "\u200d", "\u2028", "\u2029", "\u202f",
    "\u205f", "\u2060", "\u3000", "\ufeff", "\u180e", "\u00ad",
]

BIDI = [
    "\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066",
    "\u2067", "\u2068", "\u2069",
]

PUNCT = [
    ".", ",", ";", ":", "!", "?", ")", "(", "]", "'", '"', "…", "—", "–", "’", "«", "»", "¿", "¡",
    "。", "、", "！", "？", "，", "．", "｡", "•", "€", "→", "™", "•", "‰", "′", "″", "‼", "⁉",
]

DOMAINS = [
    "example.com", "www.example.org", "sub.example.co.uk", "example.fr", "brulerie-canuts.example",
    "brulerie-canuts.fr", "t.co", "bit.ly", "youtu.be", "a.b", "x.ai", "example.museum",
    "example.xyz", "example.invalid", "localhost", "example.c", "example.comm", "EXAMPLE.COM",
    "Example.Com", "café.fr", "münchen.de", "xn--mnchen-3ya.de", "例え.jp", "例え.テスト", "日本.jp",
    "пример.рф", "παράδειγμα.ελ", "bücher.example", "example.みんな", "xn--p1ai", "example.xn--p1ai",
    "mañana.com", "192.168.0.1", "[::1]", "a-b.com", "-ab.com", "ab-.com", "a_b.com", "a..com",
    "example.com.", "docs.python.org", "fr.wikipedia.org", "github.com", "bsky.app",
    "mastodon.social", "joinmastodon.org", "ja.wikipedia.org", "example.co", "example.onion",
    "example.test", "exa\u200bmple.com", "example。com", "example．com",
]

PATHS = [
    "", "/", "/path", "/path/", "/path/to/page.html", "/wiki/Café_(boisson)",
    "/wiki/Foo_(bar)_(baz)", "/a(b(c)d)e", "/search?q=café&lang=fr", "/?q=1", "/path?x=1#frag",
    "/#anchor", "/p?utm_source=x&utm_medium=social", "/~user", "/@alice", "/@alice/123", "/日本語",
    "/wiki/東京", "/Москва", "/path-with-dash-", "/a+b", "/a%20b", "/a;b", "/a:b", "/a!b", "/a*b",
    "/a|b", "/a'b", "/a=b", "/a$b", "/😀", "/x.", "/x,", "/x)", "/x/(y)", ":8080", ":8080/path",
    "/a[b]c", "/a–b", "?q=x", "#top",
]

TCO = [
    "https://t.co/abc123", "https://t.co/abcdefghijklmnopqrstuvwxyz0123456789abcd",
    "https://t.co/abcdefghijklmnopqrstuvwxyz0123456789abcde",
    "https://t.co/abcdefghijklmnopqrstuvwxyz0123456789abcdef", "http://t.co/x?y=1",
    "https://t.co/abc/def", "https://t.co/abc-def", "https://T.CO/ABC", "t.co/abc",
]

SCHEMES = [
    "https://", "http://", "", "HTTPS://", "Http://", "ftp://", "gemini://", "gopher://",
    "ipfs://", "dat://", "ssb://", "xmpp:", "magnet:?xt=urn:btih:", "mailto:", "www.",
]

TRAILING = ["", ".", ",", ";", ":", "!", "?", ")", "!?", "...", ").", "'", '"', "»", "…", "。"]

MENTIONS = [
    "@alice", "@Alice_99", "@alice@example.social", "@alice@mastodon.social",
    "@alice@sub.example.co.uk", "@handle.bsky.social", "@alice.test", "@alice.bsky.social.",
    "@brulerie-canuts.bsky.social", "@alice.example.com", "@ALICE.BSKY.SOCIAL", "@a", "@_",
    "@alice.", "@alice-", "@alice..bob", "@al.ice", "@alice@", "@@alice", "@alice@@example.social",
    "@alice@example", "@élodie", "@élodie@example.fr", "@alice@café.fr", "@alice@例え.jp",
    "@alice://x", "@alice_verylongname_morethan20chars", "＠alice", "@alice@example.social/path",
    "@alice@example.social.", "@did:plc:abc123", "@" + "a" * 30 + ".bsky.social",
    "@alice@" + "d" * 250 + ".com", "@alice@" + "d" * 260 + ".com",
]

HASHTAGS = [
    "#café", "#cafe", "#Café_Lyon", "#日本語", "#日本", "#١٢٣", "#١٢٣abc", "#한국어", "#Ελλάδα",
    "＃fullwidth", "＃全角", "#123", "#2026", "#1st", "#_", "#_a", "#a_", "#tag!", "#tag.", "#tag,",
    "#tag?", "#tag)", "#tag...", "#tag's", "#tag-name", "#tag–name", "#tag#other", "#tag@x",
    "#c++", "#c#", "#tag️", "#️", "#️⃣", "#⃣", "#🙂", "#tag🙂", "#🇫🇷", "#ZWJ‍tag",
    "#soft\u00adhyphen", "#nbsp\u00a0after", "#" + "a" * 64, "#" + "a" * 65, "#" + "é" * 64,
    "#" + "👍" * 65, "#" + "1" * 10 + "a", "#Straße", "#İstanbul", "#עברית", "#العربية", "#हिन्दी",
    "#ไทย", "#Москва", "#tag\u200bzwsp", "#\u200btag", "#tag&more", "#a&b", "#tag:more",
    "#tag/more", "#tag'", "#https", "#tag-", "#$tag",
]

CASHTAGS = [
    "$AAPL", "$aapl", "$TSLA.", "$GOOG,", "$BRK.A", "$A", "$ABCDE", "$ABCDEF", "$1234", "$A1",
    "$AAPL)", "($AAPL)", "$AAPL!", "$AAPL'", '$AAPL"', "$AAPL’", "$AAPL$", "$AAPL-", "$€",
    "5$AAPL", "x$AAPL", "$AAPL:", "$AAPL;", "$AAPL?", "$aapl's",
]

EMAILS = [
    "a@b.com", "alice@example.com", "alice.bob@example.co.uk", "contact@brulerie-canuts.example",
    "alice+tag@example.org", "mailto:alice@example.com", "alice@localhost", "user@例え.jp",
]

WORDS_EN = [
    "coffee", "roast", "fresh", "beans", "today", "Lyon", "shop", "open", "new", "blend",
    "tasting", "notes", "of", "peach", "and", "jasmine", "come", "say", "hi", "weekend", "the",
    "our", "with", "espresso", "filter", "workshop", "tickets", "limited", "order", "online",
]
WORDS_FR = [
    "café", "torréfaction", "grains", "frais", "aujourd’hui", "boutique", "ouverte", "nouveau",
    "mélange", "dégustation", "notes", "de", "pêche", "et", "jasmin", "passez", "nous", "voir",
    "week-end", "le", "la", "les", "notre", "avec", "expresso", "filtre", "atelier", "billets",
    "limités", "commandez", "en", "ligne", "Croix-Rousse", "Éthiopie", "à", "où", "ça", "œuvre",
]
# fmt: on

# --- hand-written cases ------------------------------------------------------------------------

HAND = [
    "",
    " ",
    "   ",
    "\n",
    "\n\n\n",
    "\t",
    "\r\n",
    "\r",
    "\u3000",
    "\u200b",
    "\u200d",
    "\u200c",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "a\ufeffb",
    "a\ufffeb",
    "a\uffffb",
    "\ufeffhello",
    "hello\ufeff",
    "https://example.com/\ufeff",
    "\u200b\u200b\u200b",
    "a\r\nb",
    "a\nb",
    "a\rb",
    "line one\r\nline two\r\nline three",
    "line one\nline two",
    "\r\n\r\n",
    "a\u2028b",
    "a\u2029b",
    "a\u0085b",
    "Á is normalized into 1 char",
    "A\u0301 is normalized into 1 char",
    "Hello, world!",
    "hello",
    "x",
    "😀",
    FAMILY,
    FAMILY * 140,
    FAMILY * 141,
    "日" * 160,
    "日" * 140,
    "日" * 141,
    "日" * 139 + "a",
    "日" * 139 + "ab",
    "a" * 279,
    "a" * 280,
    "a" * 281,
    "a" * 300,
    "a" * 301,
    "a" * 500,
    "a" * 501,
    "é" * 300,
    "é" * 301,
    "e\u0301" * 300,
    "e\u0301" * 301,
    "e\u0301" * 140,
    "e\u0301" * 281,
    FAMILY * 120,
    FAMILY * 121,
    "a" * 2999 + "é",
    "a" * 3000,
    "a" * 3001,
    "€" * 1000,
    "€" * 1001,
    ENGLAND * 107,
    "😀" * 140,
    "😀" * 141,
    "🐦‍🔥" * 56,
    "🐦‍🔥" * 57,
    "https://example.com " + "a" * 256,
    "https://example.com " + "a" * 257,
    "example.com " + "a" * 256,
    "example.com " + "a" * 257,
    "https://example.com/" + "a" * 300,
    "https://example.com/" + "a" * 4100,
    "https://" + "a" * 63 + ".com",
    "https://" + "a" * 64 + ".com",
    "https://" + "é" * 30 + ".com",
    "https://" + "é" * 60 + ".com",
    "https://" + "😀" * 10 + ".com",
    "https://😀.com/path",
    "https://xn--.com",
    "https://xn--a.com",
    "xn--mnchen-3ya.de/path",
    "xn--münchen.de",
    "https://xn--münchen.de",
    "https://münchen.de/straße",
    "https://café.fr/menu",
    "café.fr",
    "visit café.fr today",
    "visit münchen.de today",
    "visit 例え.jp today",
    "例え.jpのサイト",
    "詳しくはhttps://example.com/を見てください",
    "詳しくはexample.comを見てください",
    "詳しくは https://example.com/日本語 を見てください",
    "東京https://example.com東京",
    "東京example.com東京",
    "東京 example.com 東京",
    "http://twitter.com/これは日本語です。example.com中国語",
    "english text 日本語 😷 https://example.com",
    "Check https://example.com. And example.org, and (www.example.net) too!",
    "(https://en.wikipedia.org/wiki/Coffee_(disambiguation))",
    "https://en.wikipedia.org/wiki/Coffee_(disambiguation)",
    "see https://example.com/a_(b)_c.",
    "see https://example.com/a_(b).",
    "see https://example.com/(a)",
    "see (https://example.com/a)",
    "see (https://example.com/a).",
    "see https://example.com/?",
    "see https://example.com/?q=",
    "see https://example.com/?q=1&",
    "see https://example.com/?q=1!",
    "see https://example.com/#",
    "see https://example.com:443/path",
    "see https://user:pass@example.com/path",
    "see https://user@example.com",
    "see http://localhost:8000/",
    "see http://127.0.0.1/",
    "see https://[2001:db8::1]/",
    "https://example.com/path?q=1#frag",
    "https://example.com/path#frag?q=1",
    "https://example.com/wiki/Москва",
    "https://example.com/wiki/Ёжик",
    "https://example.com/—dash",
    "https://example.com/–dash",
    "https://example.com/a–",
    "https://example.com/@user/123",
    "https://mastodon.social/@Gargron",
    "https://mastodon.social/@Gargron/109",
    "https://bsky.app/profile/alice.bsky.social/post/3k",
    "http://example.com/http://example.org",
    "example.com/https://example.org",
    "https://example.com,https://example.org",
    "https://example.comhttps://example.org",
    "https://example.com https://example.org https://example.net",
    "www.example.org/path",
    "www.example.org/path.",
    "sub.example.co.uk",
    "sub.example.co.uk/path?x=1",
    "-example.com",
    "_example.com",
    ".example.com",
    "/example.com",
    "a.example.com",
    "@example.com",
    "#example.com",
    "$example.com",
    "x@example.com",
    "foo-bar.com",
    "foo_bar.com",
    "foo.bar_baz.com",
    "example.com:80",
    "example.com:abc",
    "example.com/path:",
    "example.co.jp",
    "example.cat",
    "example.tokyo",
    "example.сайт",
    "пример.сайт",
    "gemini://example.com/",
    "gopher://example.com/",
    "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
    "ipns://example.com",
    "dat://example.com",
    "dweb://example.com",
    "ssb://example.com",
    "xmpp:alice@example.com",
    "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a",
    "ftp://example.com/file",
    "mailto:alice@example.com",
    "tel:+33123456789",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://",
    "https://.com",
    "http://x",
    "https://localhost",
    "https://example",
    "https://example.c",
    "https://a.b.c.d.e.f.g.example.com",
    "https://exa mple.com",
    "https://example.com/\u00a0after",
    "https://example.com/\u200bafter",
    "https://example.com/\u3000after",
    "https://example.com/<tag>",
    'https://example.com/"quoted"',
    "https://example.com/'quoted'",
    "https://example.com/a>b",
    "<https://example.com>",
    "[https://example.com]",
    "{https://example.com}",
    "«https://example.com»",
    "\u201chttps://example.com\u201d",
    "'https://example.com'",
    '"https://example.com"',
    "\u202ehttps://example.com\u202c",
    "\u200fhttps://example.com",
    "\u200eexample.com",
    "\u061cexample.com",
    "https://example.com\u200f",
    "مرحبا https://example.com مرحبا",
    "مرحبا example.com مرحبا",
    "\u202bمرحبا\u202c @alice",
    "שלום \u200f#תג\u200f עולם",
    "עברית (https://example.co.il) עברית",
    "@alice",
    "@alice hello",
    "hello @alice",
    "(@alice)",
    "(@alice.bsky.social)",
    "[@alice.bsky.social]",
    "x@alice.bsky.social",
    ".@alice.bsky.social",
    "@alice.bsky.social's post",
    "@alice.bsky.social, @bob.bsky.social and @carol.test.",
    "@alice@example.social",
    "@alice@example.social hello",
    "cc @alice@example.social @bob@mastodon.social @carol",
    "(@alice@example.social)",
    "=@alice@example.social",
    "/@alice@example.social",
    "a@alice@example.social",
    "é@alice@example.social",
    "_@alice",
    "@alice@example.social@",
    "@alice@example.socialé",
    "@aliceé",
    "@alice://example",
    "@alice.test",
    "@alice.test.",
    "@ALICE.TEST",
    "@alice.Test",
    "@alice.bsky.SOCIAL",
    "@alice.bsky.social",
    "@alice.bsky.social.",
    "@alice.bsky.social!",
    "@alice.localhost",
    "@alice.internal",
    "@alice.local",
    "@alice.example",
    "@alice.invalid",
    "@alice.onion",
    "@alice.рф",
    "@alice.みんな",
    "@123.com",
    "@-alice.com",
    "@alice-.com",
    "@a.b.c.d.com",
    "\t@alice.bsky.social",
    "\n@alice.bsky.social",
    "\u3000@alice.bsky.social",
    "\u00a0@alice.bsky.social",
    "\ufeff@alice.bsky.social",
    "a\u200b@alice.bsky.social",
    "email a@b.com now",
    "a@b.com",
    "alice@example.com",
    "Write to contact@brulerie-canuts.example!",
    "#café",
    "#café #Lyon",
    "#日本語",
    "#١٢٣",
    "#한국어",
    "#Ελλάδα",
    "＃fullwidth",
    "#123",
    "#123 #abc",
    "#tag!",
    "#tag.",
    "#tag...",
    "#tag!?",
    "https://example.com/#anchor",
    "https://example.com #tag",
    "https://example.com#tag",
    "example.com #tag",
    "example.com#tag",
    "#tag https://example.com",
    "a#tag",
    "a #tag",
    "\n#tag",
    "\u3000#tag",
    "\u00a0#tag",
    "\ufeff#tag",
    "(#tag)",
    "#tag\u00adsoft",
    "#tag\u2060wj",
    "#️⃣ keycap",
    "#️ not a tag",
    "#⃣",
    "#\u20e2",
    "#tag\u20e2",
    "#\ufe0ftag",
    "#a\ufe0f",
    "#" + "a" * 64,
    "#" + "a" * 65,
    "#" + "é" * 64,
    "#" + "e\u0301" * 64,
    "#" + "e\u0301" * 33,
    "#" + "👍" * 33,
    "#" + "👍" * 64,
    "#" + "👍" * 65,
    "#" + FAMILY * 64,
    "#" + FAMILY * 65,
    "$AAPL",
    "$AAPL to the moon",
    "Buy $AAPL, $TSLA and $GOOG.",
    "($AAPL)",
    "$aapl",
    "$ABCDEF",
    "$A1B2C",
    "price $5",
    "$5.99",
    "US$AAPL",
    "Nouveau : notre Éthiopie Guji 🍑 — notes de pêche & jasmin. Passez à la boutique !",
    "Demain, atelier dégustation à 18 h 30 ☕️ Réservation : brulerie-canuts.example/atelier #café #Lyon",
    "Merci @alice@piaille.example pour la visite ! 🙏 https://brulerie-canuts.example/blog/visite",
    "« Le café, c’est la vie » — nos clients, probablement. #CaféDeSpécialité #Lyon",
    "Ouvert dimanche 10 h–13 h. Croissants de la boulangerie d’à côté 🥐 @brulerie-canuts.bsky.social",
    "New in the shop: our Guji natural 🍑🌸 Order online → https://brulerie-canuts.example/shop?utm_source=x",
    "Our roaster turned 10 today! 🎉🎂 Thanks to all of you ❤️ #coffee #anniversary",
    "Latte art workshop — Sat 14:00 — tickets: https://brulerie-canuts.example/workshop (limited!)",
    "Is $SBUX overpriced? Asking for a friend ☕ #coffee",
    "RT @someone: this is great https://t.co/abc123XYZ",
    "Thread 🧵 1/5",
    "Thread 🧵 (1/5)",
    "P.S. see you at 9 a.m. at the shop.",
    "e.g. i.e. etc. vs. U.S.A.",
    "version 1.2.3 released",
    "file.txt and script.py and archive.tar.gz",
    "readme.md",
    "node.js and vue.js",
    "Dr.Who",
    "end of sentence.Next sentence",
    "end of sentence.com",
    "3.14159",
    "192.168.1.1",
    "1.2.3.4:8080",
    "Le café est à 2,50 €.",
    "C’est l’été ! ☀️🏖️",
    "Voilà 🇫🇷 + 🇬🇧 + 🇪🇺 = 🌍",
    "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f vs 🏴 vs 🏴‍☠️",
    "Flags: 🇦🇧🇨🇩🇪",
    "Keycaps: #️⃣ *️⃣ 0️⃣ 1️⃣ 2️⃣ 3️⃣ 🔟",
    "☕ vs ☕️ vs ☕︎",
    "♾ vs ♾️",
    "© vs ©️ — ® vs ®️ — ™ vs ™️",
    "©2026 Brûlerie des Canuts®",
    "\u00a9\u00ae\u2122",
    "👍🏻👍🏼👍🏽👍🏾👍🏿",
    "👍🏻\u200d",
    "\u200d👍",
    "👨\u200d",
    "\u200d\u200d",
    "a\u200db",
    "🏻",
    "🏻🏻",
    "a🏻",
    "\ufe0f",
    "\ufe0f\ufe0f",
    "a\ufe0f",
    "\ufe0e",
    "a\ufe0e",
    "1\ufe0f",
    "1\u20e3",
    "\u20e3",
    "🇫",
    "🇫🇷🇫🇷🇫",
    "🇫🇷\u200d🇫🇷",
    "\U000e0067\U000e007f",
    "🏴\U000e007f",
    "Zalgo: Z̵̡̢̛̗̘̙̜̝̞̟̠̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌͘͜͟͢͝͞͠ͅa̸̧̨̛̗̘̙̜̝̞̟l̷g̶o̴",
    "Devanagari: क्षि क्ष त्र ज्ञ श्र",
    "नमस्ते दुनिया #हिन्दी",
    "Thai: น้ำ ฟ้า กำลัง ไทย",
    "Hangul jamo: \u1100\u1161\u11a8 \u1112\u1161\u11ab \u1100\u1161 vs 각 한",
    "Korean: 안녕하세요 세계 #한국어",
    "Japanese: こんにちは世界。カタカナ、ひらがな。#日本語",
    "Chinese: 你好，世界！#中文",
    "Mixed: 日本語とEnglishとFrançais",
    "Emoji in CJK: 東京🗼大阪🏯",
    "Arabic: مرحبا بالعالم #العربية ١٢٣",
    "Arabic with marks: بِسْمِ اللَّهِ",
    "Hebrew: שלום עולם #עברית",
    "Hebrew with points: שָׁלוֹם",
    "Greek: Γειά σου Κόσμε #Ελλάδα",
    "Cyrillic: Привет, мир! #Москва",
    "Math: 𝕳𝖊𝖑𝖑𝖔 𝒜𝒷𝒸 ∑∫√∞≠≤≥",
    "Typography: … • € → ™ — ’ ‘ “ ” ‹ › ′ ″",
    "Primes: ′″‴‵‶‷",
    "Spaces:\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a|",
    "Dashes: \u2010\u2011\u2012\u2013\u2014\u2015\u2016\u2017",
    "Quotes: \u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f",
    "\u2020\u2021\u2022\u2023\u2024\u2025\u2026\u2027\u2030\u2031",
    "Georgian: ქართული ენა",
    "Armenian: Հայերեն",
    "Ethiopic: ትግርኛ",
    "Cherokee: ᏣᎳᎩ",
    "Old Italic: 𐌀𐌁𐌂",
    "CJK Ext B: 𠀀𠀁𠀂",
    "Private use: \ue000\ue50a\uf8ff",
    "Specials: \ufff9\ufffa\ufffb\ufffc\ufffd",
    "Noncharacters: \ufdd0\ufdef",
    "Control: \x00\x01\x07\x1b\x7f",
    "Tab\tseparated\tvalues",
    "Vertical\x0btab and form\x0cfeed",
    "Deseret 𐐀𐐨",
    "Kelvin \u212a and k and K",
    "https://example.\u212aom",
    "https://\u212aexample.com",
    "https://example.com/\u212a",
    "httpſ://example.com",
    "example.ſite",
    "https://example.com/ſ",
    "HTTPS://EXAMPLE.COM/PATH",
    "Https://Example.Com/Path",
    "WWW.EXAMPLE.ORG",
    "ExAmPlE.CoM",
    "https://ExAmPlE.CoM",
    "https://example.İN",
    "https://example.ın",
    "https://example.co.ı",
    "https://example.ⅽom",
    "example.ПРИМЕР.РФ",
    "пример.РФ",
    "https://пример.РФ",
    "https://ПРИМЕР.рф/путь",
    "Ⓗⓣⓣⓟⓢ://example.com",
    "ｈｔｔｐｓ://example.com",
    "https：//example.com",
    "https://example．com",
    "https://example。com",
    "https://例え。jp",
    "https://例え．テスト/パス",
    "t.co/abc",
    "https://t.co/abc123",
    "https://t.co/abcdefghijklmnopqrstuvwxyz0123456789abcd",
    "https://t.co/abcdefghijklmnopqrstuvwxyz0123456789abcde",
    "https://t.co/abcdefghijklmnopqrstuvwxyz0123456789abcdef",
    "http://t.co/x?y=1",
    "https://t.co/abc/def",
    "https://t.co/abc-def",
    "https://T.CO/ABC",
    "https://t.co/abc?q=1&r=2",
    "https://t.co/abc.",
    "@alice@t.co",
    "Le café de Lyon ☕️🥐 https://brulerie-canuts.example/cafe?ref=bsky&utm_source=bluesky #café #Lyon @brulerie-canuts.bsky.social",
    "Programme du week-end :\n- samedi : atelier\n- dimanche : dégustation\n\nInfos : https://brulerie-canuts.example/agenda",
    "Programme du week-end :\r\n- samedi : atelier\r\n- dimanche : dégustation\r\n\r\nInfos : https://brulerie-canuts.example/agenda",
    "🇫🇷 Nouveau ! 🇬🇧 New! 🇯🇵 新しい！ 🇰🇷 새로운! 🇸🇦 جديد!",
    "Multiple\n\n\nblank\n\n\nlines",
    "Trailing spaces   ",
    "   Leading spaces",
    "\n\nLeading newlines",
    "Trailing newlines\n\n",
    # twitter-text 3.1.0 conformance/validate.yml (WeightedTweetsWithDiscountedEmojiCounterTest...)
    "A\u0301B",
    "A\ufb2c",
    CJK_POEM,
    "the" + CJK_POEM,
    "H🐱☺👨‍👩‍👧‍👦",
    "😷👾😡🔥💩",
    "🙋🏽👨‍🎤",
    "1⃣",
    "Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; " + ENGLAND,
    "Unicode 9.0 emoji: 🤠; 💃; 💃🏾",
    "ABC\u202a\uffffABC\ufffe",
    "\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069",
    "randomurl" * 7 + "s.com",
    "あいうえおかきくけこ" * 12 + " http://" + "あいうえおかきくけこ" * 5 + "あいう.com",
    "あいうえおかきくけこ" * 12 + " http://" + "あいうえおかきくけこ" * 5 + "あい.com",
    # Found by fuzzing against the JavaScript (JavaScript regexes without u see UTF-16 units):
    "#🙂-ab.com",  # the URL starts after the first half of 🙂
    "a🙂-ab.com/path",
    "🙂example.com",
    "🙂-ab.com/https://example.org",
    # punycode of the long label: 63 characters from code points, 71 from UTF-16 halves
    "exa\u200bmple.com가👩\u200d🚀" + WALES + "brulerie-canuts.fr",
    "https://" + "😀" * 20 + ".com",  # punycode of 20 emoji: a 63+ character label
    "httpbin.org",  # @atproto/api: starts with "http", so no https:// is added
    "http.cat/200",
    "https://example.com/?q=a\u3000b&r=日本",  # Mastodon's query allows U+00A0 and up
    "https://example.com/path\u180e",
    "https://example.com/a(Ԁ)",
    "https://example.com/a(‐)",
    "https://example.com/(x)\U0001e030",
    "gemini://example.com/😀?q=😀",
]


def _sentence(rng: random.Random, words: list[str], n: int) -> str:
    """A pseudo-sentence of ``n`` words from ``words``."""
    return " ".join(rng.choice(words) for _ in range(n))


def _urls() -> list[str]:
    """Every scheme x domain x path x trailing-punctuation combination worth testing."""
    out = []
    for i, domain in enumerate(DOMAINS):
        out.append(f"see https://{domain}{PATHS[2 + i % 10]} now")
        for scheme in SCHEMES:
            out.append(f"{scheme}{domain}")
        for trail in TRAILING[i % 4 :: 4]:
            out.append(f"Go to {domain}{trail} Thanks")
            out.append(f"Go to https://{domain}/x{trail}")
    for path in PATHS:
        for trail in ("", ".", ")"):
            out.append(f"https://example.com{path}{trail}")
            out.append(f"example.com{path}{trail}")
    for url in TCO:
        for trail in ("", ".", " x"):
            out.append(url + trail)
    for scheme in SCHEMES:
        for trail in TRAILING[:6]:
            out.append(f"({scheme}example.com/wiki/Foo_(bar){trail})")
    return out


def _entities() -> list[str]:
    """Mentions, hashtags, cashtags and emails, alone and in context."""
    out = []
    for items in (MENTIONS, HASHTAGS, CASHTAGS, EMAILS):
        for item in items:
            out += [item, f"hi {item}", f"({item})", f"x{item}", f"日本{item}"]
    for m in MENTIONS:
        out.append(f"{m} https://example.com")
        out.append(f"https://example.com/{m}")
    for h in HASHTAGS[:20]:
        out.append(f"https://example.com {h}")
        out.append(f"example.com/{h}")
    return out


def _probes() -> list[str]:
    """Each interesting grapheme alone, between letters, repeated, and next to a URL."""
    out = []
    for atom in EMOJI + COMBINING + SCRIPTS + SPACES + BIDI + PUNCT:
        out += [atom, f"a{atom}b", f"{atom}https://example.com {atom}#tag"]
    for sp in SPACES + BIDI:
        out += [
            f"@alice.bsky.social{sp}x{sp}@bob.test",
            f"{sp}https://example.com{sp}x",
            f"{sp}example.com",
            f"#tag{sp}x{sp}#tag",
            f"https://example.com/a{sp}b",
            f"@alice@example.social{sp}",
        ]
    for vs_base in [
        "☕",
        "⚡",
        "⚽",
        "❗",
        "⭐",
        "♾",
        "©",
        "®",
        "™",
        "♟",
        "❤",
        "☺",
        "✌",
        "⌚",
        "▶",
        "↔",
        "〽",
        "㊗",
        "🅰",
        "🈁",
        "#",
        "1",
        "*",
        "☝",
        "⛹",
        "🏋",
        "🕵",
        "👁",
        "🏳",
        "🏴",
        "⏩",
        "🀄",
        "🃏",
        "⛔",
        "✅",
        "✈",
        "⬆",
        "⤴",
        "🔘",
        "🗨",
        "🌡",
        "🕉",
    ]:
        for suffix in ["", VS15, VS16, VS16 + VS16, SKIN[2], VS16 + SKIN[2], "\u20e3"]:
            out.append(vs_base + suffix)
    return out


def _near_limits(rng: random.Random) -> list[str]:
    """Texts built to land on, just under and just over each platform's limit."""
    out = []
    fillers = ["a", "é", "日", "😀", "👍🏽", FAMILY, "e\u0301", "한", "€", "—", "क्षि", "🇫🇷"]
    for filler in fillers:
        for n in (139, 140, 141, 279, 280, 281, 299, 300, 301, 499, 500, 501):
            out.append(filler * n)
    url = "https://brulerie-canuts.example/une/tres/longue/adresse?utm_source=x&utm_campaign=ete"
    for n in (230, 231, 232, 233, 234, 256, 257):
        out.append(url + " " + "a" * n)
        out.append("a" * n + " " + url)
        out.append("日" * (n // 2) + " " + url)
    for total in (2990, 2999, 3000, 3001, 3010):
        family_count = total // 25
        out.append(FAMILY * family_count + "a" * (total - 25 * family_count))
    for _ in range(12):
        parts = []
        while sum(len(p) for p in parts) < 270:
            parts.append(rng.choice(WORDS_FR + WORDS_EN + EMOJI[:30] + SCRIPTS[:10]))
        out.append(" ".join(parts))
    return out


def _posts(rng: random.Random, count: int) -> list[str]:
    """Plausible social posts in French and English mixing every kind of entity."""
    extras = (
        EMOJI
        + MENTIONS[:12]
        + HASHTAGS[:30]
        + CASHTAGS[:6]
        + EMAILS[:4]
        + [f"https://{d}{p}" for d in DOMAINS[:18] for p in ("", "/blog", "/a?b=c")]
        + DOMAINS[:20]
        + PUNCT
        + SCRIPTS[:16]
        + COMBINING[:10]
    )
    seps = [" ", " ", " ", " ", "\n", "\n\n", " — ", ", ", ". ", " : ", " ! ", "\u00a0", "\r\n"]
    out = []
    for _ in range(count):
        words = WORDS_FR if rng.random() < 0.5 else WORDS_EN
        pieces = []
        for _ in range(rng.randint(1, 14)):
            r = rng.random()
            if r < 0.55:
                pieces.append(_sentence(rng, words, rng.randint(1, 6)))
            else:
                pieces.append(rng.choice(extras))
        text = ""
        for piece in pieces:
            text += piece + rng.choice(seps)
        out.append(text.rstrip(" ") if rng.random() < 0.7 else text)
    return out


def _has_lone_surrogate(text: str) -> bool:
    """True when ``text`` cannot be encoded as UTF-8 (excluded, see the module docstring)."""
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def build() -> list[str]:
    """The whole corpus, in a stable order, without duplicates."""
    rng = random.Random(SEED)
    texts = HAND + _urls() + _entities() + _probes() + _near_limits(rng) + _posts(rng, 500)
    seen: set[str] = set()
    corpus = []
    for text in texts:
        if text in seen or _has_lone_surrogate(text):
            continue
        seen.add(text)
        corpus.append(text)
    return corpus


def _escape_invisible(json_text: str) -> str:
    """Escape invisible and format characters so that the JSON diff stays readable."""
    out = []
    for ch in json_text:
        cat = unicodedata.category(ch)
        invisible = cat in {"Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs"} or ch in "\u00a0\u3000"
        invisible = invisible or 0xFE00 <= ord(ch) <= 0xFE0F or 0x2000 <= ord(ch) <= 0x200A
        invisible = invisible or 0xE0000 <= ord(ch) <= 0xE01EF or (cat == "Zs" and ch != " ")
        if ch == "\n" or not invisible:
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            code = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def main() -> None:
    """Write corpus.json next to this script."""
    corpus = build()
    text = json.dumps(corpus, ensure_ascii=False, indent=0)
    (HERE / "corpus.json").write_text(_escape_invisible(text) + "\n", encoding="utf-8")
    print(f"corpus.json: {len(corpus)} texts")


if __name__ == "__main__":
    main()
