"""Per-image and per-channel control of the brand marks, and what validate says about pictures."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmpub.model.errors import ConfigError
from cmpub.render import variants
from cmpub.render.validate import validate_project
from tests.support.project import CONFIG, MakeProject, png

BRAND = """\
brand:
  name: Café
  font: font.ttf
  cta:
    text: "Commandez en ligne"
"""
FONT = (
    Path(__file__).resolve().parents[2] / "assets" / "brand" / "fonts" / "brand.ttf"
).read_bytes()


def post(front: str) -> str:
    return f"---\ntitle: Hello\ndate: 2026-12-01 10:00\nsummary: Hello.\n{front}---\nBody.\n"


def project(make: MakeProject, front: str, brand: str = BRAND, size=(1600, 1200)) -> Path:
    root = make({"content/p.md": post(front), "font.ttf": FONT}, config=CONFIG + brand)
    png(root / "content" / "a.png", size)
    png(root / "content" / "b.png", size)
    return root


def load(root: Path):
    report = validate_project(root)
    assert not report.errors, report.errors
    return report, report.config, report.posts[0]


TWO = """\
channels: [site, x, mastodon]
images:
  - {src: a.png, alt: "A"}
  - {src: b.png, alt: "B"}
"""


def words(root: Path, channel: str) -> list[str | None]:
    _, config, p = load(root)
    return [pic.banner for pic in variants.pictures(p.variant(channel), channel, config)]


def test_the_banner_says_the_posts_own_call_to_action(make_project: MakeProject) -> None:
    cta = 'cta: {text: "Réservez", url: "https://cafe.example/r"}\n'
    root = project(make_project, TWO + cta)
    assert words(root, "x") == ["Réservez", None]  # on the first image only
    assert words(root, "site") == [None, None]  # the site shows pictures as they are
    assert words(root, "og") == ["Réservez"]  # its link card carries it


def test_no_call_to_action_no_banner_unless_the_brand_says_always(
    make_project: MakeProject,
) -> None:
    root = project(make_project, TWO)
    assert words(root, "x") == [None, None]  # never the brand's words on a post about hours
    root = project(make_project, TWO, BRAND + "  banner: always\n")
    assert words(root, "x") == ["Commandez en ligne", None]
    root = project(make_project, TWO, BRAND + "  banner: never\n")
    cta = 'cta: {text: "Réservez", url: "https://cafe.example/r"}\n'
    root = project(make_project, TWO + cta, BRAND + "  banner: never\n")
    assert words(root, "x") == [None, None]


def test_banner_false_true_and_words_per_image_and_per_channel(make_project: MakeProject) -> None:
    front = """\
channels: [site, x, mastodon]
cta: {text: "Réservez", url: "https://cafe.example/r"}
images:
  - {src: a.png, alt: "A", banner: false}
  - {src: b.png, alt: "B", banner: "Dès 35 €", logo: false, fit: contain}
overrides:
  mastodon:
    images:
      - {src: b.png, banner: true}
"""
    root = project(make_project, front)
    assert words(root, "x") == [None, "Dès 35 €"]
    assert words(root, "mastodon") == ["Réservez"]  # the override's one image, banner: true
    _, config, p = load(root)
    (only,) = p.variant("mastodon").images
    assert only.alt == "B" and only.fit == "contain" and only.logo is False  # from the post's b.png
    pics = variants.pictures(p.variant("x"), "x", config)
    assert [(q.fit, q.logo) for q in pics] == [("auto", "auto"), ("contain", "never")]
    jobs = variants.jobs(p.variant("x"), "x", config, variants.BrandStyle(), None)
    assert [j.index for j in jobs] == [0, 1] and jobs[0].carousel == jobs[1].carousel == pics


def test_brand_defaults_for_fit_and_logo(make_project: MakeProject) -> None:
    root = project(make_project, TWO, BRAND + "  fit: contain\n  logo_on_images: never\n")
    _, config, p = load(root)
    pics = variants.pictures(p.variant("x"), "x", config)
    assert [(q.fit, q.logo) for q in pics] == [("contain", "never")] * 2


def test_an_override_image_needs_alt_when_the_post_has_no_such_image(
    make_project: MakeProject,
) -> None:
    front = TWO + "overrides:\n  x:\n    images:\n      - {src: b.png}\n      - {src: c.png}\n"
    root = project(make_project, front)
    png(root / "content" / "c.png")
    (p,) = [q for q in validate_project(root).errors]
    assert p.message == (
        "'overrides.x.images[1].alt' is required: the post has no image 'c.png' to take it from"
    )
    assert p.hint == "add a line 'alt: ...', or use the 'src' of one of the post's images"
    assert p.line == 13


def test_bad_image_fields_are_refused_at_their_line(make_project: MakeProject) -> None:
    front = (
        "images:\n  - src: a.png\n    alt: A\n    fit: stretch\n    aspect: 1:1\n    banner: 3\n"
    )
    root = project(make_project, front)
    found = {(p.line, p.message) for p in validate_project(root).errors}
    assert (8, "'images[0].fit' must be one of auto, cover, contain; got 'stretch'") in found
    assert (
        9,
        "'images[0].aspect' must be a ratio like \"4:5\" (quoted: YAML reads 4:5 unquoted as a "
        "number), got '61'",
    ) in found
    assert (10, "'images[0].banner' must be true, false or some text, got the number 3") in found


def test_banner_true_without_any_words_is_an_error(make_project: MakeProject) -> None:
    front = "images:\n  - {src: a.png, alt: A, banner: true}\n"
    root = project(make_project, front, "brand: {name: Café, font: font.ttf}\n")
    (p,) = validate_project(root).errors
    assert p.code == "image.banner-no-text" and p.line == 6
    assert p.message == "'banner: true' but the post has no call-to-action to show"


def test_brand_banner_always_needs_words(make_project: MakeProject) -> None:
    root = make_project({"font.ttf": FONT}, config=CONFIG + "brand:\n  banner: always\n")
    with pytest.raises(ConfigError) as info:
        validate_project(root)
    (p,) = info.value.problems
    assert p.message == (
        "'brand.banner' is 'always' but 'brand.cta.text' is not set: a post with no "
        "call-to-action of its own would get a banner with no words"
    )


# --------------------------------------------------------------------------- validate's warnings


def test_too_small_says_how_big_it_must_be(make_project: MakeProject) -> None:
    front = "channels: [site, x]\nimages:\n  - {src: a.png, alt: A}\n"
    root = project(make_project, front, size=(300, 200))
    warnings = {p.code: p for p in validate_project(root).warnings}
    x = warnings["x.image-too-small"]
    assert x.message == (
        "X: 'a.png' (300×200) is too small for the 1600×900 image: it would be enlarged 4.5× "
        "and look soft"
    )
    assert x.hint == "use a picture of at least 675×450 px (1350×900 for full sharpness)"
    assert x.line == 7  # the image's line
    og = warnings["site.image-too-small"]
    assert og.message.startswith("the link card (Open Graph): 'a.png' (300×200) is too small")


def test_validate_cites_the_size_the_build_chooses_after_looking(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.render.test_image_layout import card

    front = "channels: [site, instagram]\nimages:\n  - {src: card.png, alt: A}\n"
    front += "  - {src: a.png, alt: B}\n"
    root = project(make_project, front, size=(400, 300))
    card((500, 312)).save(root / "content" / "card.png")  # 16:10 text: kept whole on 1:1
    found = [w for w in validate_project(root).warnings if w.code == "instagram.image-too-small"]
    assert [w.message for w in found] == [
        "Instagram: 'card.png' (500×312) is too small for the 1080×1080 image: it would be "
        "enlarged 2.2× and look soft",
        # the second picture is a card of the carousel: the first one decided its size
        "Instagram: 'a.png' (400×300) is too small for the 1080×1080 image: it would be "
        "enlarged 2.7× and look soft",
    ]
    assert found[0].hint == "use a picture of at least 540×337 px (1080×674 for full sharpness)"
    alone = project(
        make_project,
        "channels: [site, instagram]\nimages:\n  - {src: a.png, alt: B}\n",
        size=(400, 300),
    )
    (w,) = [w for w in validate_project(alone).warnings if w.code == "instagram.image-too-small"]
    assert "for the 1080×1350 image" in w.message  # a flat 4:3 crops harmlessly to 4:5
    # Pictures that are fine on every size the channel may choose are never measured.
    from cmpub.render import checks

    def measured(*args: object) -> None:
        raise AssertionError("measured a picture with nothing to report")

    monkeypatch.setattr(checks, "choose_spec", measured)
    fine = project(
        make_project, "channels: [site, instagram, linkedin]\nimages:\n  - {src: a.png, alt: B}\n"
    )
    assert not validate_project(fine).warnings


def test_an_unreadable_banner_is_reported_at_the_call_to_action(
    make_project: MakeProject,
) -> None:
    long = (
        "Réservez votre place pour l'atelier latte art du samedi matin dès maintenant en ligne, "
        "il reste six places seulement"
    )
    front = f'channels: [site, x]\ncta: {{text: "{long}", url: "https://cafe.example/r"}}\n'
    front += "images:\n  - {src: a.png, alt: A}\n"
    root = project(make_project, front, size=(1800, 1800))  # X keeps the square: 1600×1600
    (p,) = [w for w in validate_project(root).warnings if w.code == "x.banner-too-small"]
    assert p.message == (
        "X: the banner text would be 40 px high on the 1600×1600 image, about 10 px on a phone: "
        "too small to read"
    )
    assert p.hint == "shorten the call-to-action (116 characters) to about 103"
    assert p.line == 6  # the cta line


def test_forced_cover_that_cuts_text_is_reported(make_project: MakeProject) -> None:
    from PIL import Image, ImageDraw, ImageFont

    front = "channels: [site, linkedin]\nimages:\n  - {src: card.png, alt: A, fit: cover}\n"
    root = project(make_project, front)
    im = Image.new("RGB", (1200, 1600), (246, 234, 214))
    font = ImageFont.truetype(str(root / "font.ttf"), 60)
    for i in range(8):
        ImageDraw.Draw(im).text((80, 80 + i * 180), f"Ligne {i} du menu", font=font, fill="black")
    im.save(root / "content" / "card.png")
    (p,) = [w for w in validate_project(root).warnings if w.code == "linkedin.crop-cuts-text"]
    assert p.message == (
        "LinkedIn: fit: cover crops 'card.png' to 1200×1200 through text the picture carries"
    )
    assert p.hint == (
        "remove 'fit: cover' (cmpub then keeps the picture whole), or move 'focus:' to the text"
    )


# --------------------------------------------------------------------------- contact sheet


def test_contact_sheet_lays_out_every_variant_and_the_review_links_it(
    make_project: MakeProject,
) -> None:
    from PIL import Image

    from cmpub.build.pipeline import build
    from cmpub.build.review import load_manifest, render_review

    cta = 'cta: {text: "Réservez", url: "https://cafe.example/r"}\n'
    root = project(make_project, TWO + cta)
    build(root, jobs=1, contact_sheets=True)
    sheet = root / "dist" / "contact" / "p.jpg"
    manifest = load_manifest(root / "dist" / "manifest.json")
    assert manifest is not None and manifest["contact_sheets"] == {"p": "contact/p.jpg"}
    with Image.open(sheet) as im:
        assert im.width == 2400 and im.height > 420 * 2  # 7 variants: more than one row
    body = render_review(manifest, None, [], "Europe/Paris", "https://ci.example/artifact")
    line = (
        "- 🗂 Contact sheet, every network's image side by side: `contact/p.jpg` in "
        "[the build](https://ci.example/artifact)"
    )
    assert body.count(line) == 1
    first = sheet.read_bytes()
    build(root, jobs=1, contact_sheets=True)
    assert sheet.read_bytes() == first  # deterministic
    build(root, jobs=1)
    assert not sheet.exists()  # only when asked for
