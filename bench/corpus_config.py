"""The cmpub.yaml the benchmarks write into a generated corpus (one definition for all scripts)."""

#: Every channel the corpus uses, with placeholder accounts.
CONFIG = """\
site: {title: Corpus, url: "https://example.com"}
timezone: Europe/Paris
channels:
  site: {}
  bluesky: {handle: corpus.bsky.social}
  mastodon: {handle: "@corpus@mastodon.example", instance: "https://mastodon.example"}
  x: {handle: "@corpus"}
  threads: {handle: corpus}
  linkedin: {name: Corpus}
  facebook: {name: Corpus}
  instagram: {handle: corpus}
"""

#: UTM restricted to a domain the corpus never links to: with UTM on example.com, the long tagged
#: CTA links push 3 Threads copies over 500 characters and a build stops on those Problems.
CLEAN = CONFIG + "utm: {domains: [utm.invalid]}\n"

#: CLEAN plus the corpus' logo as brand logo, so image variants are branded.
BRANDED = CLEAN + "brand: {logo: assets/brand/logo.png}\n"
