#!/usr/bin/env node
'use strict';
// Regex conformance corpus: str_matches patterns (Rust regex syntax and the
// PCRE-only syntax Server Core rejects) against values chosen to tell the
// dialects apart, answered by @statsig/statsig-node-core (Server Core).
//
// Writes ../fixtures/regex.v1.json, ../fixtures/regex.v2.json (one gate per
// pattern: custom field "s" str_matches the pattern) and
// ../goldens/regex_corpus.json: for every pattern, one character per
// value, '1' when the gate passes, '0' when it fails.
// Usage: cd test/conformance/generator && npm ci && node regex.js

const path = require('path');
const { C, rule, gate, document } = require('./lib/dsl');
const { toV2 } = require('./lib/v2');
const { writeJson } = require('./lib/util');
const nodecore = require('./lib/nodecore');

const ROOT = path.resolve(__dirname, '..');

// Patterns.  Grouped by what they probe; order is the gate order.
const PATTERNS = [
  // plain syntax both dialects share
  'abc', '^abc$', 'a.c', '^$', '', 'a|b', '^(a|b)$', '[a-z]+', '^[^a-z]+$', '^[]a]$', '^[^]a]$',
  'a{2}', '^a{2,}$', '^a{2,3}$', 'a+?', 'a*?', '^(?:ab)+$', '(?P<n>a)b', '(?<n>a)b', 'x*',
  '^a.b$', '\\.', '^\\d+$', '\\w+', '\\s', '\\bfoo\\b', '\\Bfoo', '\\Aabc', 'abc\\z', '\\x41',
  '\\x{263A}', '\\n', '\\t', '[\\n]', '\\a', '\\f', '^[\\d-]+$', '^[\\w-]+$', '[[:alpha:]]+',
  '^[[:^digit:]]+$', '^[[:word:]]+$', '[\\x00-\\x7F]', '^.$', '^..$',
  // anchors and newlines (Rust: $ only at the very end unless (?m))
  'a$', '^a$', '(?m)^b$', '(?m)a$', '(?s)a.b', 'a.b', '(?m)^$', '\\Z',
  // flags
  '(?i)ABC', '(?i)^k$', '(?i)^ß$', '(?i)^σ$', '(?i)^ǅ$', '(?i)[a-z]', '(?i-s:a.)b', '(?i)(?-i)a',
  '(?U)a+', '(?x) a b c', '(?x)^[ a]+$', '(?x)a#comment', '(?-u:\\w)', '(?u)\\w', '(?z)a', '(?R)^a$',
  // Unicode classes and properties
  '^\\w$', '^\\d$', '^\\s$', '\\pL', '\\PL', '\\p{Greek}', '\\p{Lu}', '\\p{Letter}',
  '\\p{Script=Greek}', '\\p{sc=Greek}', '\\p{gc=Lu}', '\\p{Foo}', 'é', '^\\x{1F600}$',
  '\\u263A', '\\u{263A}', '\\U0001F600', '\\N{U+41}',
  // class set operations and nesting (Rust only)
  '^[a-z&&[^aeiou]]+$', '^[a-z--[aeiou]]+$', '^[a~~b]$', '^[a[bc]]+$', '[a-\\d]', '[\\d-z]',
  // escapes: Rust accepts punctuation, rejects unknown letters and digits
  '\\-', '\\/', '\\%', '\\@', '\\ ', '\\#', '\\&', '\\~', '\\<foo', 'foo\\>', '\\b{start}foo',
  'foo\\b{end}', '\\e', '\\v', '\\h', '\\R', '\\X', '\\C', '\\G', '\\K', '\\N', '\\0', '\\01',
  '\\8', '\\cA', '\\o{101}', '\\g1', '[\\b]', '\\Qa.b\\E', '\\', 'a\\',
  // what only backtracking engines do (Server Core rejects these)
  '(?=a)', '(?!a)b', '(?<=a)b', '(?<!a)b', '(a)\\1', '(?<n>a)\\k<n>', '(?P<n>a)(?P=n)', '(?>a+)b',
  'a++', 'a*+b', 'a?+', '(*UTF)a', '(?#comment)a', '(?|(a)|(b))', '(?R)', '(a(?1)?b)', '(?(1)a|b)',
  '(?C1)a', '(*FAIL)|a', 'a(*SKIP)b', '\\p{Xan}',
  // quantifier edge cases
  'a{', '{a', 'a{,3}', 'a{1000}', 'a{2}{3}', 'a**', '^*', '(?i)', '(', ')', '[', '*a', '+', '?', '[]',
  '(?<n>a)(?<n>b)', '(?P<1a>x)', '[z-a]', 'a{3,2}', '\\x{110000}',
  // exponential for a backtracking engine
  '^(a+)+$', '^(a|aa)+$', '^(a*)*b$', '(x+x+)+y', '^(\\w+\\s?)*$', '.*.*=.*',
];

const LONG_A = 'a'.repeat(30000);
const VALUES = [
  '', 'a', 'b', 'ab', 'aa', 'aaa', 'abc', 'ABC', 'xabcx', 'a.c', 'a\nb', 'a\n', '\nb', 'a\r\n',
  'foo', 'foo bar', 'xfoo', '<foo>', 'a{', '{a', 'a{,3}', 'aaaaaa', '123', '12-3', '٣', ' ', '\u00a0',
  '\u2003', '\t', 'é', 'e\u0301', '\u0301', '_', '\u203f', 'k', 'K', '\u212a', 'ß', '\u1e9e', 'σ', 'ς',
  'Σ', 'ǅ', 'ǆ', 'Ǆ', 'Ω', 'Greek Ω', '😀', '☺', 'bcd', 'bcda', '#', '-', '%', '@', '&', '~', '/',
  '\u0007', '\u000c', '\u000b', '\u001b', 'A', 'a=b', 'x=y=z', 'xxxxxxxxxxxxxxxxxxxxxxxxy',
  'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab',
  'word word word word word word word word word word word word word!', LONG_A + 'b', LONG_A,
];

function buildDoc() {
  const gates = PATTERNS.map((p, i) => gate(`re_${i}`, [rule(`re_${i}_r`, [C.user('s', 'str_matches', p)])]));
  return document({ gates, time: 1700000000000 });
}

async function main() {
  const v1 = buildDoc();
  const v2 = toV2(v1);
  writeJson(path.join(ROOT, 'fixtures/regex.v1.json'), v1);
  writeJson(path.join(ROOT, 'fixtures/regex.v2.json'), v2);
  const h = await nodecore.open({ v2Doc: v2 });
  const results = PATTERNS.map(() => []);
  try {
    for (const value of VALUES) {
      const user = nodecore.makeUser({ userID: 'u', custom: { s: value } });
      PATTERNS.forEach((p, i) => {
        const r = nodecore.evaluate(h.statsig, user, null, 'gate', `re_${i}`);
        results[i].push(r.expected.value ? '1' : '0');
      });
    }
  } finally {
    await h.close();
  }
  writeJson(path.join(ROOT, 'goldens/regex_corpus.json'), {
    sdk: nodecore.SDK_NAME,
    sdk_version: nodecore.SDK_VERSION,
    dcs: 'fixtures/regex.v2.json',
    description: 'results[i][j]: gate re_<i> (custom.s str_matches patterns[i]) for the user ' +
      '{"userID": "u", "custom": {"s": values[j]}}; 1 passes, 0 fails',
    patterns: PATTERNS,
    values: VALUES,
    results: results.map((r) => r.join('')),
  });
  const ones = results.map((r) => r.join('')).filter((s) => s.includes('1')).length;
  console.log(`regex: ${PATTERNS.length} patterns x ${VALUES.length} values; ${ones} patterns match something`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
