'use strict';
const fs = require('fs');
const path = require('path');

// Deterministic PRNG (mulberry32) seeded from a string.
function seededRng(seedText) {
  let seed = 0x811c9dc5;
  for (let i = 0; i < seedText.length; i++) {
    seed ^= seedText.charCodeAt(i);
    seed = Math.imul(seed, 0x01000193) >>> 0;
  }
  let a = seed;
  return function rng() {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function writeJson(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

// Like writeJson, but every element of the named array goes on one line of its own, which keeps
// large golden files small and their diffs readable. The output is ordinary JSON.
function writeJsonLines(file, data, arrayKey) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const head = { ...data };
  const list = head[arrayKey];
  delete head[arrayKey];
  const headText = JSON.stringify(head, null, 2);
  const body = list.map((x) => `    ${JSON.stringify(x)}`).join(',\n');
  const prefix = headText === '{}' ? '{\n' : `${headText.slice(0, -2)},\n`;
  const text = `${prefix}  ${JSON.stringify(arrayKey)}: [${list.length ? `\n${body}\n  ` : ''}]\n}\n`;
  JSON.parse(text); // self-check
  fs.writeFileSync(file, text);
}

// Deep copy with object keys sorted (Server Core returns values from hash maps, whose key
// order changes from run to run; key order carries no meaning in these JSON values).
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

// Canonical JSON (sorted keys) for comparisons.
function canon(v) {
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

module.exports = { seededRng, writeJson, writeJsonLines, canon, sortKeys };
