"""Which image variants a post's channel needs, and what each one carries.

The post's choices and the brand's defaults become :class:`~cmpub.render.images.ImageJob`\\ s:

- **the banner says the post's own call-to-action** (``cta.text``), on its first image. A post
  with no call-to-action gets no banner, unless ``brand.banner: always`` (then the brand's
  ``cta.text``); ``brand.banner: never`` turns banners off. Per image, ``banner: false`` removes
  it, ``banner: true`` puts the call-to-action on that image too, and ``banner: "words"`` says
  those words on that image;
- **the logo** follows ``logo:`` (false: never; true: even where the picture already carries
  it), else ``brand.logo_on_images``;
- **the fit** follows ``fit:``, else ``brand.fit``; ``aspect:`` asks for a ratio ("1:1");
- the images of one channel form a carousel: the logo takes one corner for all of them and, on
  Instagram, the first image decides the size.

The site's own picture carries no banner or logo; its Open Graph card (``og``) does.
"""

from __future__ import annotations

from cmpub.model.project import Config, Fields, Image
from cmpub.render.images import BrandStyle, ImageJob, Picture, parse_aspect

#: Channels whose variants carry no brand marks (the brand's own site shows pictures as they are).
PLAIN = ("site", "site-phone")


def banner_text(fields: Fields, image: Image, index: int, config: Config) -> str | None:
    """What the banner says on ``image`` (the ``index``-th of the post), or None for no banner."""
    brand = config.brand
    default = fields.cta.text if fields.cta else None
    if default is None and brand.banner == "always":
        default = brand.cta_text
    if image.banner is False or (brand.banner == "never" and not isinstance(image.banner, str)):
        return None
    if isinstance(image.banner, str):
        return image.banner
    if image.banner is True:
        return default or brand.cta_text
    return default if index == 0 else None


def pictures(fields: Fields, channel: str, config: Config) -> tuple[Picture, ...]:
    """The post's images as ``channel`` shows them (``og``: the first one, as a link card)."""
    images = fields.images[:1] if channel == "og" else fields.images
    brand = config.brand
    out = []
    for i, image in enumerate(images):
        plain = channel in PLAIN
        logo = {True: "always", False: "never", None: brand.logo_on_images}[image.logo]
        out.append(
            Picture(
                source=str(config.root / image.file),
                focus=image.focus,
                fit=image.fit or brand.fit,
                logo="never" if plain else logo,
                banner=None if plain else banner_text(fields, image, i, config),
                aspect=parse_aspect(image.aspect) if image.aspect else None,
            )
        )
    return tuple(out)


def jobs(
    fields: Fields, channel: str, config: Config, style: BrandStyle, max_bytes: int | None
) -> list[ImageJob]:
    """One job per image of the post on ``channel``, in order."""
    carousel = pictures(fields, channel, config)
    brand = BrandStyle(background=style.background) if channel in PLAIN else style
    return [
        ImageJob(
            source=p.source,
            channel=channel,
            focus=p.focus,
            cta_text=p.banner,
            brand=brand,
            max_bytes=max_bytes,
            fit=p.fit,
            logo=p.logo,
            aspect=p.aspect,
            carousel=carousel if len(carousel) > 1 else (),
            index=i,
        )
        for i, p in enumerate(carousel)
    ]
