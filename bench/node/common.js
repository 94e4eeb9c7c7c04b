'use strict';
// Shared helpers for the benchmark drivers: argument parsing, reading the
// users file in chunks, and opening the two official SDKs fully offline the
// way test/conformance/generator does (node-core through a dataStore over a
// v2 document derived from the v1 one, statsig-node in localMode through a
// dataAdapter over the v1 document).
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const { toV2 } = require(path.join(ROOT, 'test/conformance/generator/lib/v2.js'));

const SDK_KEY = 'secret-bench-key';

// --key value pairs -> object (numbers stay strings; callers convert).
function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = argv[i].match(/^--([a-z0-9-]+)$/);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    out[m[1]] = argv[i + 1];
    i++;
  }
  return out;
}

function need(args, key) {
  if (args[key] === undefined) throw new Error(`missing --${key}`);
  return args[key];
}

// Yields arrays of at most chunkSize parsed users (one JSON object a line),
// stopping after limit users.  Parsing is outside every timed section.
function* userChunks(file, limit, chunkSize) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 22);
  let rest = '';
  let count = 0;
  let chunk = [];
  try {
    for (;;) {
      const got = fs.readSync(fd, buf, 0, buf.length, null);
      const text = rest + buf.toString('utf8', 0, got);
      const lines = text.split('\n');
      rest = got === 0 ? '' : lines.pop();
      for (const line of lines) {
        if (line === '') continue;
        chunk.push(JSON.parse(line));
        count++;
        if (chunk.length === chunkSize || count === limit) {
          yield chunk;
          chunk = [];
        }
        if (count === limit) return;
      }
      if (got === 0) break;
    }
    if (chunk.length) yield chunk;
  } finally {
    fs.closeSync(fd);
  }
}

function readV1(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// Server Core (node-core): the document comes from a DataStore.
async function openNodeCore(v1Doc, extraOptions) {
  const { Statsig } = require('@statsig/statsig-node-core');
  const v2Doc = toV2(v1Doc);
  const text = JSON.stringify(v2Doc);
  const options = {
    dataStore: {
      initialize: async () => {},
      shutdown: async () => {},
      get: async (key) => (key.includes('/download_config_specs') ? { result: text, time: v2Doc.time } : {}),
      set: async () => {},
      supportPollingUpdatesFor: async () => false,
    },
    disableNetwork: true,
    outputLogLevel: 'none',
    disableAllLogging: true,
    specsSyncIntervalMs: 3600 * 1000,
    ...(extraOptions || {}),
  };
  const statsig = new Statsig(SDK_KEY, options);
  const res = await statsig.initialize();
  if (!res.isSuccess) throw new Error(`node-core init failed: ${JSON.stringify(res)}`);
  return statsig;
}

// Legacy statsig-node: localMode plus a dataAdapter serving the v1 document.
async function openLegacy(v1Doc) {
  const { StatsigServer, DataAdapterKeyPath } = require('statsig-node');
  const text = JSON.stringify(v1Doc);
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, logLevel: 'none' };
  const server = new StatsigServer(SDK_KEY, {
    localMode: true,
    dataAdapter: {
      initialize: async () => {},
      shutdown: async () => {},
      get: async (key) => {
        if (key.includes(DataAdapterKeyPath.V1Rulesets)) return { result: text, time: v1Doc.time };
        if (key.includes(DataAdapterKeyPath.V1IDLists)) return { result: '[]', time: v1Doc.time };
        return { result: null };
      },
      set: async () => {},
      supportsPollingUpdatesFor: () => false,
    },
    logger: quiet,
    disableDiagnostics: true,
    disableAllLogging: true,
    disableRulesetsSync: true,
    disableIdListsSync: true,
  });
  await server.initializeAsync();
  return server;
}

function sdkVersions() {
  return {
    'node-core': require('@statsig/statsig-node-core/package.json').version,
    'statsig-node': require('statsig-node/package.json').version,
    pg: require('pg/package.json').version,
    node: process.versions.node,
  };
}

function emit(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

module.exports = { parseArgs, need, userChunks, readV1, openNodeCore, openLegacy, sdkVersions, emit };
