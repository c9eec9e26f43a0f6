// Writes the data files that cmpub's Python counters need from the official JavaScript packages:
//
//   cmpub/platforms/data/twitter_text.json   from twitter-text 3.1.0 and twemoji-parser 11.0.2
//     gtld, cctld   the TLD alternations of twitter-text's validGTLD / validCCTLD, in their order
//     emoji         twemoji-parser's emoji regex (lib/regex.js), rewritten from UTF-16 surrogate
//                   pairs to code points for Python's `re`; alternation order and lookaheads kept
//     emoji_first   a class holding every code point an emoji match can start with (a speed-up:
//                   Python tries the emoji regex only there)
//     js_upper      JavaScript's non-Unicode /i canonicalisation (ECMA-262 Canonicalize: the
//                   one-unit toUpperCase, never mapping non-ASCII to ASCII) for every BMP unit it
//                   changes, as "<from><to>" pairs: how twitter-text's regexes ignore case
//   cmpub/platforms/data/bluesky.json        for @atproto/api 0.x RichText facet detection
//     tlds          the `tlds` list detection.ts checks handles and bare domains against
//     punctuation   \p{P} as Node's regex engine has it (Python's `regex` module is on a newer
//                   Unicode and has a few more), as [first, last] code point ranges
//   cmpub/platforms/data/mastodon.json       for the Mastodon rebuild (tests/reference/mastodon.mjs)
//     word          [[:word:]] = [\p{L}\p{M}\p{Nd}\p{Pc}] as Node has it, as ranges
//     latin_accents_ci  the gem's LATIN_ACCENTS class under /iu (case variants included)
//
//   cd tests/reference && npm ci && node gen_data.mjs
//
// The output is deterministic; re-run it after bumping a package and commit the result.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, '..', '..', 'cmpub', 'platforms', 'data');
const version = (pkg) => JSON.parse(readFileSync(join(here, 'node_modules', pkg, 'package.json'), 'utf8')).version;

const twitter = require('twitter-text');
const twemojiRegex = require('twemoji-parser/dist/lib/regex').default;
const tlds = require('tlds');
const mastodon = await import('./mastodon.mjs');

// The code points matching a one-character regex, as [first, last] ranges.
function ranges(re) {
  const out = [];
  let start = -1;
  for (let c = 0; c <= 0x110000; c++) {
    const hit = c <= 0x10ffff && (c < 0xd800 || c > 0xdfff) && re.test(String.fromCodePoint(c));
    if (hit && start < 0) start = c;
    if (!hit && start >= 0) {
      out.push([start, c - 1]);
      start = -1;
    }
  }
  return out;
}

// --- a small parser for the JS (non-Unicode) regex syntax the emoji regex uses --------------------

function parse(source) {
  let i = 0;
  const peek = () => source[i];
  const unit = () => {
    // one code unit, after a backslash or not
    if (source[i] === '\\') {
      i++;
      const c = source[i++];
      if (c === 'u') {
        const h = source.slice(i, i + 4);
        i += 4;
        return parseInt(h, 16);
      }
      if (c === 'x') {
        const h = source.slice(i, i + 2);
        i += 2;
        return parseInt(h, 16);
      }
      if ('dDwWsSbBnrtfv0123456789'.includes(c)) throw new Error(`unsupported escape \\${c} at ${i}`);
      return c.charCodeAt(0);
    }
    return source.charCodeAt(i++);
  };
  const parseClass = () => {
    i++; // [
    let negated = false;
    if (peek() === '^') {
      negated = true;
      i++;
    }
    const ranges = [];
    while (peek() !== ']') {
      const a = unit();
      if (peek() === '-' && source[i + 1] !== ']') {
        i++;
        ranges.push([a, unit()]);
      } else ranges.push([a, a]);
    }
    i++; // ]
    if (negated) throw new Error('negated class not supported');
    return { type: 'set', ranges };
  };
  const parseAtom = () => {
    const c = peek();
    if (c === '(') {
      i++;
      let kind = 'capture';
      if (source.startsWith('?:', i)) (kind = 'group'), (i += 2);
      else if (source.startsWith('?!', i)) (kind = 'negative-lookahead'), (i += 2);
      else if (source.startsWith('?=', i)) (kind = 'lookahead'), (i += 2);
      const body = parseAlt();
      if (source[i++] !== ')') throw new Error(`expected ) at ${i}`);
      return { type: kind, body };
    }
    if (c === '[') return parseClass();
    if ('.^$'.includes(c)) throw new Error(`unsupported ${c} at ${i}`);
    const u = unit();
    return { type: 'set', ranges: [[u, u]] };
  };
  const parseSeq = () => {
    const items = [];
    while (i < source.length && peek() !== '|' && peek() !== ')') {
      const atom = parseAtom();
      if (peek() === '?' || peek() === '*' || peek() === '+') atom.quantifier = source[i++];
      items.push(atom);
    }
    return items;
  };
  const parseAlt = () => {
    const alts = [parseSeq()];
    while (peek() === '|') {
      i++;
      alts.push(parseSeq());
    }
    return alts;
  };
  const tree = parseAlt();
  if (i !== source.length) throw new Error(`trailing input at ${i}`);
  return tree;
}

const isHigh = ([a, b]) => a >= 0xd800 && b <= 0xdbff;
const isLow = ([a, b]) => a >= 0xdc00 && b <= 0xdfff;
const pyEscape = (cp) => (cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`);

function pySet(ranges) {
  if (ranges.length === 1 && ranges[0][0] === ranges[0][1]) return pyEscape(ranges[0][0]);
  return `[${ranges.map(([a, b]) => (a === b ? pyEscape(a) : `${pyEscape(a)}-${pyEscape(b)}`)).join('')}]`;
}

// Emit Python `re` syntax; a high-surrogate set followed by a low-surrogate set becomes one set
// of astral code points (the only way the generated emoji regex uses surrogates).
function emitSeq(items) {
  let out = '';
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    if (item.type === 'set' && item.ranges.every(isHigh)) {
      const next = items[k + 1];
      if (item.quantifier || !next || next.type !== 'set' || !next.ranges.every(isLow)) {
        throw new Error('unpaired high surrogate');
      }
      const cps = [];
      for (const [ha, hb] of item.ranges) {
        for (let h = ha; h <= hb; h++) {
          for (const [la, lb] of next.ranges) {
            const base = 0x10000 + ((h - 0xd800) << 10);
            cps.push([base + (la - 0xdc00), base + (lb - 0xdc00)]);
          }
        }
      }
      out += pySet(cps) + (next.quantifier ?? '');
      k++;
      continue;
    }
    if (item.type === 'set') {
      if (item.ranges.some(([a, b]) => b >= 0xd800 && a <= 0xdfff)) throw new Error('stray surrogate');
      out += pySet(item.ranges);
    } else {
      const open = { capture: '(', group: '(?:', lookahead: '(?=', 'negative-lookahead': '(?!' }[item.type];
      out += open + emitAlt(item.body) + ')';
    }
    out += item.quantifier ?? '';
  }
  return out;
}
const emitAlt = (alts) => alts.map(emitSeq).join('|');

// The code points a match can start with (the emoji regex has no empty alternative), so that
// Python can skip every other position: [first, last] ranges.
function firstCodePoints(alts) {
  const out = [];
  const seq = (items) => {
    for (let k = 0; k < items.length; k++) {
      const item = items[k];
      if (item.type === 'lookahead' || item.type === 'negative-lookahead') continue;
      if (item.type === 'set') {
        if (item.ranges.every(isHigh)) {
          for (const [ha, hb] of item.ranges) {
            for (let h = ha; h <= hb; h++) {
              for (const [la, lb] of items[k + 1].ranges) {
                const base = 0x10000 + ((h - 0xd800) << 10);
                out.push([base + (la - 0xdc00), base + (lb - 0xdc00)]);
              }
            }
          }
        } else out.push(...item.ranges);
      } else alts1(item.body);
      if (item.quantifier !== '?' && item.quantifier !== '*') return;
    }
    throw new Error('an alternative can match the empty string');
  };
  const alts1 = (a) => a.forEach(seq);
  alts1(alts);
  out.sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const [a, b] of out) {
    if (merged.length && a <= merged[merged.length - 1][1] + 1) merged[merged.length - 1][1] = Math.max(merged[merged.length - 1][1], b);
    else merged.push([a, b]);
  }
  return merged;
}

// --- data ----------------------------------------------------------------------------------------

const tldAlternation = (re) => {
  const m = re.source.match(/^\(\?:\(\?:(.*)\)\(\?=\[\^0-9a-zA-Z@\+-\]\|\$\)\)$/);
  if (!m) throw new Error(`unexpected TLD regex ${re.source.slice(0, 80)}`);
  return m[1].split('|');
};

const jsUpper = [];
for (let u = 0; u < 0x10000; u++) {
  if (u >= 0xd800 && u <= 0xdfff) continue;
  const ch = String.fromCharCode(u);
  const up = ch.toUpperCase();
  const canon = up.length === 1 && !(u >= 128 && up.charCodeAt(0) < 128) ? up.charCodeAt(0) : u;
  if (canon !== u) {
    // check against the regex engine itself: /x/i must match its canonical form and vice versa
    if (!new RegExp(`^\\u${u.toString(16).padStart(4, '0')}$`, 'i').test(String.fromCharCode(canon))) {
      throw new Error(`canonicalisation mismatch at U+${u.toString(16)}`);
    }
    jsUpper.push(String.fromCharCode(u) + String.fromCharCode(canon));
  }
}

const emojiTree = parse(twemojiRegex.source);
const emoji = emitAlt(emojiTree);
// Python's re tests astral class members one range at a time: keep the BMP ranges exact and
// let every astral code point through (the full regex decides).
const emojiFirst = pySet([...firstCodePoints(emojiTree).filter(([, b]) => b < 0x10000), [0x10000, 0x10ffff]]);

const twitterData = {
  source: `twitter-text ${version('twitter-text')} (Apache-2.0, https://github.com/twitter/twitter-text) and twemoji-parser ${version('twemoji-parser')} (MIT, https://github.com/twitter/twemoji-parser); generated by tests/reference/gen_data.mjs on Node ${process.versions.node}`,
  gtld: tldAlternation(twitter.regexen.validGTLD),
  cctld: tldAlternation(twitter.regexen.validCCTLD),
  emoji,
  emoji_first: emojiFirst,
  js_upper: jsUpper.join(''),
};

const blueskyData = {
  source: `tlds ${version('tlds')} (MIT, https://github.com/stephenmathieson/node-tlds), the list @atproto/api ${version('@atproto/api')} checks handles and bare domains against; \\p{P} of Node ${process.versions.node} (Unicode ${process.versions.unicode}); generated by tests/reference/gen_data.mjs`,
  tlds: [...tlds],
  punctuation: ranges(/^\p{P}$/u),
};

const mastodonData = {
  source: `Unicode classes of the Mastodon rebuild (tests/reference/mastodon.mjs) as Node ${process.versions.node} (Unicode ${process.versions.unicode}) has them; generated by tests/reference/gen_data.mjs`,
  word: ranges(new RegExp(`^[${mastodon.WORD}]$`, 'u')),
  latin_accents_ci: ranges(new RegExp(`^[${mastodon.LATIN_ACCENTS}]$`, 'iu')),
};

const dump = (value) =>
  `${JSON.stringify(value, null, 1).replace(/\[\n\s*(\d+),\n\s*(\d+)\n\s*\]/g, '[$1, $2]')}\n`;
writeFileSync(join(dataDir, 'twitter_text.json'), dump(twitterData));
writeFileSync(join(dataDir, 'bluesky.json'), dump(blueskyData));
writeFileSync(join(dataDir, 'mastodon.json'), dump(mastodonData));
console.log(`wrote ${dataDir}: ${twitterData.gtld.length} gTLDs, ${twitterData.cctld.length} ccTLDs, emoji pattern ${emoji.length} chars, ${jsUpper.length} case pairs, ${blueskyData.tlds.length} Bluesky TLDs`);
