// Writes tests/fixtures/reference.json: what the official JavaScript libraries say about every
// text of corpus.json, for cmpub's differential tests (tests/platforms/test_reference.py).
//
//   cd tests/reference && npm ci && node reference.mjs [corpus.json [output.json]]
//
// (the optional arguments let a fuzzer run other texts through the same references)
//
// Per text:
//   x         twitter-text 3.1.0 parseTweet(text): weightedLength, valid; plus the URLs that
//             extractUrlsWithIndices finds in the NFC text (code point indices) for diagnostics.
//   bluesky   @atproto/api RichText: graphemeLength (Intl.Segmenter), length (UTF-8 bytes), and
//             detectFacetsWithoutResolution() as [{start, end, type, value}] with UTF-8 byte
//             offsets; value = uri (link), tag without '#' (tag), handle (mention). Cashtags come
//             out of @atproto/api as tag facets whose tag is '$' + the upper-cased ticker
//             ("$AAPL"): they are recorded as they are, type "tag", value "$AAPL".
//   mastodon  the rebuild of Mastodon's StatusLengthValidator in mastodon.mjs: count (no content
//             warning) and the URL / mention entities it replaced (code point indices).
// Plus "mastodon_cw": a few (spoiler_text, text) pairs, since the content warning counts too.
//
// The output is deterministic: corpus order, fixed key order, one entry per line.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { RichText } from '@atproto/api';

import * as mastodon from './mastodon.mjs';

const require = createRequire(import.meta.url);
const twitter = require('twitter-text');

const here = dirname(fileURLToPath(import.meta.url));
const version = (pkg) => JSON.parse(readFileSync(join(here, 'node_modules', pkg, 'package.json'), 'utf8')).version;

const corpus = JSON.parse(readFileSync(process.argv[2] ?? join(here, 'corpus.json'), 'utf8'));

const codePoints = (s) => [...s].length;
const cp = (text, i) => codePoints(text.slice(0, i));

function x(text) {
  const parsed = twitter.parseTweet(text);
  const normalized = text.normalize();
  const urls = twitter
    .extractUrlsWithIndices(normalized)
    .map((u) => [cp(normalized, u.indices[0]), cp(normalized, u.indices[1]), u.url]);
  return { weighted_length: parsed.weightedLength, valid: parsed.valid, urls };
}

const FEATURE = {
  'app.bsky.richtext.facet#link': ['link', 'uri'],
  'app.bsky.richtext.facet#tag': ['tag', 'tag'],
  'app.bsky.richtext.facet#mention': ['mention', 'did'],
};

function bluesky(text) {
  const rt = new RichText({ text });
  const graphemes = rt.graphemeLength;
  const bytes = rt.length;
  rt.detectFacetsWithoutResolution();
  const facets = (rt.facets ?? []).map((facet) => {
    if (facet.features.length !== 1) throw new Error(`unexpected facet ${JSON.stringify(facet)}`);
    const feature = facet.features[0];
    const [type, key] = FEATURE[feature.$type];
    return { start: facet.index.byteStart, end: facet.index.byteEnd, type, value: feature[key] };
  });
  return { graphemes, bytes, facets };
}

function mastodonEntry(text) {
  const { entities } = mastodon.countableText(text);
  return { count: mastodon.count(text), entities };
}

const CW = [
  ['', 'hello'],
  ['CW', 'hello'],
  ['Spoilers!', 'https://example.com/very/long/path/that/counts/as/twenty/three'],
  ['📣 Annonce', '@alice@example.social merci !'],
  ['a'.repeat(100), 'b'.repeat(400)],
  ['a'.repeat(100), 'b'.repeat(401)],
  ['e', '\u0301'],
  ['\r', '\nx'],
  ['CW', '   '],
  ['CW', ''],
  ['', ''],
  ['🇫', '🇷'],
  ['👨', '\u200d👩'],
];

const entries = corpus.map((text) => ({ text, x: x(text), bluesky: bluesky(text), mastodon: mastodonEntry(text) }));
const cw = CW.map(([spoiler_text, text]) => ({ spoiler_text, text, count: mastodon.count(text, spoiler_text) }));

const meta = {
  generated_by: 'tests/reference/reference.mjs',
  node: process.versions.node,
  icu: process.versions.icu,
  unicode: process.versions.unicode,
  'twitter-text': version('twitter-text'),
  'twemoji-parser': version('twemoji-parser'),
  '@atproto/api': version('@atproto/api'),
  tlds: version('tlds'),
  mastodon: 'rebuild of v4.6.5 (1440d55b) StatusLengthValidator, see tests/reference/mastodon.mjs',
  texts: corpus.length,
};

// Escape invisible and format characters so that diffs of the fixture stay readable.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Zs}\u{FE00}-\u{FE0F}\u{E0000}-\u{E01EF}]/gu;
const escape = (json) =>
  json.replace(INVISIBLE, (ch) =>
    ch === ' '
      ? ch
      : [...ch]
          .map((c) => {
            let out = '';
            for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
            return out;
          })
          .join(''),
  );
const line = (value) => escape(JSON.stringify(value));

const out = [
  '{',
  `"meta": ${line(meta)},`,
  '"mastodon_cw": [',
  cw.map(line).join(',\n'),
  '],',
  '"entries": [',
  entries.map(line).join(',\n'),
  ']',
  '}',
  '',
].join('\n');

const target = process.argv[3] ?? join(here, '..', 'fixtures', 'reference.json');
writeFileSync(target, out);
console.log(`${target}: ${entries.length} texts`);
