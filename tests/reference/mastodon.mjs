// A JavaScript rebuild of Mastodon's status length rule (upstream v4.6.5, 1440d55b), used as the
// reference for cmpub/platforms/mastodon.py. Mastodon itself is Ruby; this file follows its code:
//
//   app/validators/status_length_validator.rb  countable_length = each_grapheme_cluster.size of
//                                              spoiler_text + countable_text(text); blank text -> ''
//   app/lib/extractor.rb                       mentions via Account::MENTION_RE, rejected when followed
//                                              by @, a Latin accent or ://, or when the domain > 253 chars
//   app/models/account.rb                      USERNAME_RE, MENTION_RE
//   config/initializers/twitter_regex.rb       Mastodon's valid_url (extra schemes, any non-space path)
//   twitter-text gem 3.1.0 rb/lib/twitter-text/{regex,extractor}.rb
//                                              extract_urls_with_indices, is_valid_domain, remove_overlapping
//
// Deliberate approximations (a Ruby regex cannot run in Node), mirrored exactly by the Python side:
// * Case-insensitive URL matching uses JavaScript's non-Unicode /i (twitter-text JS semantics), not
//   Onigmo's Unicode case folding: they differ only for characters such as U+212A KELVIN SIGN.
// * IDN validity uses twitter-text JS's idna.toAscii (Node's punycode, labels of 1..63 characters)
//   instead of libidn's IDNA2003 toASCII: Ruby also rejects, for instance, emoji domains.
// * The TLD lists come from twitter-text JS 3.1.0 (the gem's tld_lib.yml is the same list).
// * [[:word:]] is \p{L}\p{M}\p{Nd}\p{Pc}; Unicode properties are those of Node's ICU.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const twitter = require('twitter-text');
const punycode = require('punycode'); // Node's built-in, exactly what twitter-text's idna.js gets

const hex = (c) => (c < 0x10000 ? `\\u${c.toString(16).padStart(4, '0')}` : null);

// A non-Unicode JS pattern matching exactly the code points in `ranges` (BMP in a class, astral
// code points as surrogate pairs), so that it can live inside a regex without the u flag.
export function nonUnicodeClass(ranges) {
  const bmp = [];
  const astral = [];
  for (const [a, b] of ranges) {
    if (b < 0x10000) bmp.push([a, b]);
    else if (a >= 0x10000) astral.push([a, b]);
    else {
      bmp.push([a, 0xffff]);
      astral.push([0x10000, b]);
    }
  }
  const parts = [];
  if (bmp.length) parts.push(`[${bmp.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('')}]`);
  for (const [a, b] of astral) {
    const hi = (c) => 0xd800 + ((c - 0x10000) >> 10);
    const lo = (c) => 0xdc00 + ((c - 0x10000) & 0x3ff);
    const [ha, la, hb, lb] = [hi(a), lo(a), hi(b), lo(b)];
    if (ha === hb) parts.push(`${hex(ha)}[${hex(la)}-${hex(lb)}]`);
    else {
      parts.push(`${hex(ha)}[${hex(la)}-\\udfff]`);
      if (hb - ha > 1) parts.push(`[${hex(ha + 1)}-${hex(hb - 1)}][\\udc00-\\udfff]`);
      parts.push(`${hex(hb)}[\\udc00-${hex(lb)}]`);
    }
  }
  return `(?:${parts.join('|')})`;
}

// --- twitter-text gem 3.1.0, rb/lib/twitter-text/regex.rb --------------------------------------
const UNICODE_SPACES = '\\u0009-\\u000d\\u0020\\u0085\\u00a0\\u1680\\u180e\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const DIRECTIONAL = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const INVALID = '\\ufffe\\ufeff\\uffff';
const PUNCTUATION = '!"#$%&\'()*+,\\-./:;<=>?@\\[\\]^_`{|}~';
const SPACE_CHARS = ' \\t\\n\\x0b\\f\\r';
const CTRL = '\\x00-\\x1f\\x7f';
export const LATIN_ACCENTS = '\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u00ff\\u0100-\\u024f\\u0253\\u0254\\u0256\\u0257\\u0259\\u025b\\u0263\\u0268\\u026f\\u0272\\u0289\\u028b\\u02bb\\u0300-\\u036f\\u1e00-\\u1eff';
// \p{Cyrillic}, \p{Pd} and \p{White_Space} as Node's ICU (Unicode 17) defines them.
export const CYRILLIC = [[0x400, 0x484], [0x487, 0x52f], [0x1c80, 0x1c8a], [0x1d2b, 0x1d2b], [0x1d78, 0x1d78], [0x2de0, 0x2dff], [0xa640, 0xa69f], [0xfe2e, 0xfe2f], [0x1e030, 0x1e06d], [0x1e08f, 0x1e08f]];
export const DASH_PUNCTUATION = [[0x2d, 0x2d], [0x58a, 0x58a], [0x5be, 0x5be], [0x1400, 0x1400], [0x1806, 0x1806], [0x2010, 0x2015], [0x2e17, 0x2e17], [0x2e1a, 0x2e1a], [0x2e3a, 0x2e3b], [0x2e40, 0x2e40], [0x2e5d, 0x2e5d], [0x301c, 0x301c], [0x3030, 0x3030], [0x30a0, 0x30a0], [0xfe31, 0xfe32], [0xfe58, 0xfe58], [0xfe63, 0xfe63], [0xff0d, 0xff0d], [0x10d6e, 0x10d6e], [0x10ead, 0x10ead]];
const WHITE_SPACE = '\\u0009-\\u000d\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const tldList = (re) => re.source.replace(/^\(\?:\(\?:/, '').replace(/\)\(\?=.*$/, '');
const GTLD = `(?:(?:${tldList(twitter.regexen.validGTLD)})(?=[^0-9a-z@+-]|$))`;
const CCTLD = `(?:(?:${tldList(twitter.regexen.validCCTLD)})(?=[^0-9a-z@+-]|$))`;
const PUNYCODE = '(?:xn--[0-9a-z]+)';
const DVC = `[^${DIRECTIONAL}${PUNCTUATION}${SPACE_CHARS}${CTRL}${INVALID}${UNICODE_SPACES}]`;
const SUBDOMAIN = `(?:(?:${DVC}(?:[_-]|${DVC})*)?${DVC}\\.)`;
const DOMAIN_NAME = `(?:(?:${DVC}(?:[-]|${DVC})*)?${DVC}\\.)`;
const DOMAIN = `(?:${SUBDOMAIN}*${DOMAIN_NAME}(?:${GTLD}|${CCTLD}|${PUNYCODE}))`;
const PRECEDING = `(?:[^A-Z0-9@＠$#＃${INVALID}]|[${DIRECTIONAL}]|^)`;
const PORT = '[0-9]+';

// The gem's path characters survive in Mastodon only inside valid_url_path_ending_chars, which
// the initializer defines before it redefines valid_url_balanced_parens.
const GEM_PATH_CHAR = `(?:[a-z0-9!*';:=+,.$/%#\\[\\]_~&|@${LATIN_ACCENTS}]|${nonUnicodeClass(CYRILLIC)}|${nonUnicodeClass(DASH_PUNCTUATION)})`;
const GEM_BALANCED = `\\((?:${GEM_PATH_CHAR}+|(?:${GEM_PATH_CHAR}*\\(${GEM_PATH_CHAR}+\\)${GEM_PATH_CHAR}*))\\)`;

// --- Mastodon config/initializers/twitter_regex.rb --------------------------------------------
const PATH_CHAR = `[^${WHITE_SPACE}<>()?]`;
const PATH_END = `(?:[^${WHITE_SPACE}()?!*"'「」<>;:=,.$%\\[\\]~&|@]|(?:${GEM_BALANCED}))`;
const BALANCED = `\\((?:${PATH_CHAR}+|(?:${PATH_CHAR}*\\(${PATH_CHAR}+\\)${PATH_CHAR}*))\\)`;
const PATH = `(?:(?:${PATH_CHAR}*(?:${BALANCED}${PATH_CHAR}*)*${PATH_END})|(?:${PATH_CHAR}+\\/))`;
const UCHARS_BMP = '\\u00a0-\\ud7ff\\uf900-\\ufdcf\\ufdf0-\\uffef\\ue000-\\uf8ff';
const UCHARS_ASTRAL = nonUnicodeClass([
  [0x10000, 0x1fffd], [0x20000, 0x2fffd], [0x30000, 0x3fffd], [0x40000, 0x4fffd], [0x50000, 0x5fffd],
  [0x60000, 0x6fffd], [0x70000, 0x7fffd], [0x80000, 0x8fffd], [0x90000, 0x9fffd], [0xa0000, 0xafffd],
  [0xb0000, 0xbfffd], [0xc0000, 0xcfffd], [0xd0000, 0xdfffd], [0xe1000, 0xefffd], [0xf0000, 0xffffd],
  [0x100000, 0x10fffd],
]);
const QUERY_CHAR = `(?:[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@^${UCHARS_BMP}]|${UCHARS_ASTRAL})`;
const QUERY_END = `(?:[a-z0-9_&=#/\\-${UCHARS_BMP}]|${UCHARS_ASTRAL})`;
const SCHEMES = '(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini):\\/\\/';

export const VALID_URL = new RegExp(
  `((${PRECEDING})((${SCHEMES})?(${DOMAIN})(?::(${PORT}))?(\\/${PATH}*)?(\\?${QUERY_CHAR}*${QUERY_END})?))`,
  'gi',
);
const VALID_TCO_URL = /^https?:\/\/t\.co\/([a-z0-9]+)/i;
const MAX_URL_LENGTH = 4096;
const MAX_TCO_SLUG_LENGTH = 40;

// --- Mastodon app/models/account.rb, app/lib/extractor.rb ---------------------------------------
export const WORD = '\\p{L}\\p{M}\\p{Nd}\\p{Pc}';
// USERNAME_RE is /[a-z0-9_]+([.-]+[a-z0-9_]+)*/i; Onigmo's case folding adds ſ and K (Kelvin).
const USER_CHAR = '[a-zA-Z0-9_\\u017f\\u212a]';
export const MENTION_RE = new RegExp(
  `(?<![=/${WORD}])@((${USER_CHAR}+(?:[.\\-]+${USER_CHAR}+)*)(?:@[${WORD}]+(?:[.\\-]+[${WORD}]+)*)?)`,
  'gu',
);
const END_MENTION = new RegExp(`^(?:[@＠]|[${LATIN_ACCENTS}]+|:\\/\\/)`, 'iu');
const MAX_DOMAIN_LENGTH = 253;
// Rails String#blank?: /\A[[:space:]]*\z/
const BLANK = new RegExp(`^[${WHITE_SPACE}]*$`);

const codePoints = (s) => [...s].length;

// twitter-text JS lib/idna.js toAscii, returning the encoded domain instead of the input.
function idnaToAscii(domain) {
  if (domain.substring(0, 4) === 'xn--' && !domain.match(twitter.regexen.validAsciiDomain)) return undefined;
  const labels = domain.split('.').map((label) => punycode.toASCII(label));
  if (labels.some((label) => label.length < 1 || label.length > 63)) return undefined;
  return labels.join('.');
}

// twitter-text gem Extractor#is_valid_domain
function isValidDomain(urlLength, domain, protocol) {
  if (!domain) return false;
  const encoded = idnaToAscii(domain);
  if (encoded === undefined) return false;
  const grow = codePoints(encoded) - codePoints(domain);
  let length = urlLength + (grow > 0 ? grow : 0);
  if (!protocol) length += 'https://'.length;
  return length <= MAX_URL_LENGTH;
}

// Code point index of a UTF-16 index (Ruby's char_begin / char_end are code point indices).
const cp = (text, i) => codePoints(text.slice(0, i));

// twitter-text gem Extractor#extract_urls_with_indices(text, extract_url_without_protocol: false)
// with Mastodon's valid_url. Indices are UTF-16 here and converted at the end.
export function extractUrls(text) {
  if (!text.includes(':')) return [];
  const urls = [];
  VALID_URL.lastIndex = 0;
  let m;
  while ((m = VALID_URL.exec(text))) {
    const [, , before, url0, protocol, domain] = m;
    const start = m.index + before.length;
    let url = url0;
    let end = start + url.length;
    if (!protocol) continue; // extract_url_without_protocol: false
    const tco = url.match(VALID_TCO_URL);
    if (tco) {
      if (tco[1] && tco[1].length > MAX_TCO_SLUG_LENGTH) continue;
      url = tco[0];
      end = start + url.length;
    }
    if (!isValidDomain(codePoints(url), domain, protocol)) continue;
    urls.push({ url, start, end });
  }
  return urls;
}

// Mastodon Extractor.extract_mentions_or_lists_with_indices
export function extractMentions(text) {
  if (!/[@＠]/.test(text)) return [];
  const mentions = [];
  MENTION_RE.lastIndex = 0;
  let m;
  while ((m = MENTION_RE.exec(text))) {
    const screenName = m[1];
    const after = text.slice(m.index + m[0].length);
    if (END_MENTION.test(after)) continue;
    const domain = screenName.split('@')[1];
    if (domain && !BLANK.test(domain) && codePoints(domain) > MAX_DOMAIN_LENGTH) continue;
    mentions.push({ screenName, start: m.index, end: m.index + m[0].length });
  }
  return mentions;
}

// twitter-text gem Extractor#remove_overlapping_entities
function removeOverlapping(entities) {
  const sorted = [...entities].sort((a, b) => a.start - b.start);
  const kept = [];
  for (const e of sorted) {
    if (kept.length && kept[kept.length - 1].end > e.start) continue;
    kept.push(e);
  }
  return kept;
}

// StatusLengthValidator#countable_text
export function countableText(text) {
  if (BLANK.test(text)) return { countable: '', entities: [] };
  const entities = removeOverlapping([...extractUrls(text), ...extractMentions(text)]);
  let out = '';
  let last = 0;
  for (const e of entities) {
    out += text.slice(last, e.start);
    out += e.url !== undefined ? 'x'.repeat(23) : `@${e.screenName.split('@')[0]}`;
    last = e.end;
  }
  out += text.slice(last);
  const described = entities.map((e) => [cp(text, e.start), cp(text, e.end), e.url !== undefined ? 'url' : 'mention']);
  return { countable: out, entities: described };
}

const segmenter = new Intl.Segmenter();
export const graphemes = (s) => {
  let n = 0;
  for (const _ of segmenter.segment(s)) n++;
  return n;
};

// StatusLengthValidator#countable_length(combined_text(status)): the content warning counts too.
export function count(text, spoilerText = '') {
  return graphemes(spoilerText + countableText(text).countable);
}
