#!/usr/bin/env node
'use strict';
// Exposure-event golden: what @statsig/statsig-node-core 0.23.2 sends to log_event for a
// scripted sequence of evaluations. node-core runs with the network on, but every URL points
// at a loopback capture server; the specs still come from a data store (no download).
// Usage: cd test/conformance/generator && npm ci && node exposures.js
// Writes ../goldens/exposures.json: {fixture, environment, calls, events} per scenario.
// The SQL suite test/suites/exposures_conformance.sh replays the calls and compares.

const fs = require('fs');
const http = require('http');
const path = require('path');
const zlib = require('zlib');
const { execFileSync } = require('child_process');
const { Statsig, StatsigUser } = require('@statsig/statsig-node-core');
const { writeJsonLines, sortKeys } = require('./lib/util');

const ROOT = path.resolve(__dirname, '..');

// Decode a log_event body: node-core 0.23.2 sends zstd (Node 20 has no zstd: use the CLI).
function decode(req, body) {
  const enc = req.headers['content-encoding'];
  if (enc === 'gzip') return zlib.gunzipSync(body);
  if (enc === 'zstd') return execFileSync('zstd', ['-d', '-c', '-q'], { input: body });
  return body;
}

function startCapture() {
  const events = [];
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.url.startsWith('/v1/log_event')) {
        const body = JSON.parse(decode(req, Buffer.concat(chunks)).toString('utf8'));
        requests.push({ headers: req.headers, statsigMetadata: body.statsigMetadata });
        for (const e of body.events) if (e.eventName !== 'statsig::diagnostics') events.push(e);
        res.statusCode = 202;
        res.end('{"success":true}');
        return;
      }
      res.statusCode = 404;
      res.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        base: `http://127.0.0.1:${server.address().port}`,
        events,
        requests,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

// Per-unit persisted values, as the SQL side keeps them in ea_assignments.
function makeStorage() {
  const data = {};
  return {
    data,
    adapter: {
      load: (key) => (data[key] ? JSON.parse(JSON.stringify(data[key])) : null),
      save: (key, config, value) => {
        if (!data[key]) data[key] = {};
        data[key][config] = JSON.parse(JSON.stringify(value));
      },
      delete: (key, config) => {
        if (data[key]) delete data[key][config];
      },
    },
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Stored values per fixture, shared by the scenarios (one SDK instance each) like ea_assignments.
const STORAGES = {};

async function runScenario(sc) {
  const doc = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures', `${sc.fixture}.v2.json`), 'utf8'));
  const text = JSON.stringify(doc);
  const cap = await startCapture();
  if (!STORAGES[sc.fixture]) STORAGES[sc.fixture] = makeStorage();
  const storage = STORAGES[sc.fixture];
  const options = {
    dataStore: {
      initialize: async () => {},
      shutdown: async () => {},
      get: async (key) => (key.includes('/download_config_specs') ? { result: text, time: doc.time } : {}),
      set: async () => {},
      supportPollingUpdatesFor: async () => false,
    },
    outputLogLevel: 'none',
    disableCountryLookup: true,
    specsSyncIntervalMs: 3600 * 1000,
    specsUrl: `${cap.base}/v2/download_config_specs`,
    idListsUrl: `${cap.base}/v1/get_id_lists`,
    logEventUrl: `${cap.base}/v1/log_event`,
    persistentStorage: storage.adapter,
  };
  if (sc.environment) options.environment = sc.environment;
  const statsig = new Statsig('secret-exposures-golden', options);
  const init = await statsig.initialize();
  if (!init.isSuccess) throw new Error(`node-core init failed: ${JSON.stringify(init)}`);

  for (const call of sc.calls) {
    const user = new StatsigUser(JSON.parse(JSON.stringify(call.user)));
    const opts = {};
    if (call.persisted) {
      const idType = call.id_type || 'userID';
      const id = idType === 'userID' ? call.user.userID : call.user.customIDs[idType];
      const key = `${id}:${idType}`;
      opts.userPersistedValues = storage.data[key] ? JSON.parse(JSON.stringify(storage.data[key])) : {};
    }
    if (call.kind === 'gate') statsig.checkGate(user, call.name);
    else if (call.kind === 'config') statsig.getDynamicConfig(user, call.name);
    else if (call.kind === 'experiment') statsig.getExperiment(user, call.name, opts);
    else {
      // A parameter read is Server Core's layer parameter exposure, as Layer.get() logs it
      // for a parameter it returns (get() with a null default skips absent parameters:
      // that is the JS wrapper's choice, not Server Core's).
      const raw = statsig.__INTERNAL_getLayer(user, call.name, opts);
      const params = call.parameter !== undefined ? [call.parameter] : Object.keys(raw.value || {});
      for (const p of params) if (raw.__exposure != null) statsig.__INTERNAL_logLayerParamExposure(raw.__exposure, p);
    }
    if (call.persisted) await sleep(30); // saves reach JS asynchronously
  }
  await statsig.flushEvents();
  await statsig.shutdown();
  await cap.close();
  return {
    name: sc.name,
    fixture: sc.fixture,
    environment: sc.environment || null,
    calls: sc.calls,
    request_headers: cap.requests.length ? Object.keys(cap.requests[0].headers).sort() : [],
    events: cap.events.map((e) => sortKeys(e)),
  };
}

const U1 = { userID: 'u1', email: 'ana@example.com', custom: { plan: 'pro', seats: 12, beta: true },
  privateAttributes: { ssn: '000-00-0000' }, customIDs: { companyID: 'c1', stableID: 's1' } };
const U2 = { userID: 'u2', country: 'US', locale: 'en_US', appVersion: '2.1.0', ip: '10.0.0.1',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' };
const U3 = { userID: 'u3', email: 'x@statsig.com', statsigEnvironment: { tier: 'development' } };
const U2_EMAIL = { ...U2, email: 'other@example.com' };
const U1_PRIVATE = { ...U1, privateAttributes: { ssn: '111-11-1111' } };

const SCENARIOS = [
  {
    name: 'shapes_and_dedup',
    fixture: 'experiments_layers',
    calls: [
      { kind: 'gate', name: 'targeting_statsig', user: U1 },
      { kind: 'gate', name: 'targeting_statsig', user: U3 },
      { kind: 'gate', name: 'targeting_us', user: U2 },
      { kind: 'gate', name: 'exp_holdout', user: U1 },
      { kind: 'gate', name: 'no_such_gate', user: U1 },
      { kind: 'config', name: 'config_basic', user: U1 },
      { kind: 'config', name: 'config_nested_values', user: U2 },
      { kind: 'config', name: 'no_such_config', user: U1 },
      { kind: 'experiment', name: 'exp_basic', user: U1 },
      { kind: 'experiment', name: 'exp_targeted', user: U2 },
      { kind: 'experiment', name: 'exp_targeted', user: U3 },
      { kind: 'experiment', name: 'exp_inactive', user: U1 },
      { kind: 'experiment', name: 'exp_company', user: U1 },
      { kind: 'layer', name: 'layer_main', user: U1 },
      { kind: 'layer', name: 'layer_main', user: U2, parameter: 'title' },
      { kind: 'layer', name: 'layer_no_exp', user: U2 },
      { kind: 'layer', name: 'layer_with_plain_rule', user: U3 },
      { kind: 'layer', name: 'no_such_layer', user: U1, parameter: 'anything' },
      // deduplicated: same unit ids, spec, rule and value/parameter
      { kind: 'gate', name: 'targeting_statsig', user: U1 },
      { kind: 'experiment', name: 'exp_basic', user: U1_PRIVATE },
      { kind: 'experiment', name: 'exp_targeted', user: U2_EMAIL },
      { kind: 'layer', name: 'layer_main', user: U2, parameter: 'title' },
      // not deduplicated: another parameter, another unit
      { kind: 'layer', name: 'layer_main', user: U2, parameter: 'shade' },
      { kind: 'experiment', name: 'exp_basic', user: { userID: 'u1' } },
    ],
  },
  {
    name: 'environment',
    fixture: 'experiments_layers',
    environment: 'staging',
    calls: [
      { kind: 'gate', name: 'targeting_statsig', user: U1 },
      { kind: 'experiment', name: 'exp_basic', user: U3 },
      { kind: 'config', name: 'config_basic', user: U2 },
    ],
  },
  {
    name: 'persisted',
    fixture: 'sticky_base',
    calls: [
      { kind: 'experiment', name: 'sticky_exp', user: { userID: 'p1' }, persisted: true },
      { kind: 'experiment', name: 'sticky_exp', user: { userID: 'p1', email: 'e' }, persisted: true },
      { kind: 'experiment', name: 'sticky_exp', user: { userID: 'p2' }, persisted: true },
      { kind: 'layer', name: 'sticky_layer', user: { userID: 'p3' }, persisted: true },
      { kind: 'layer', name: 'sticky_layer', user: { userID: 'p3', country: 'CA' }, persisted: true },
    ],
  },
  {
    // a new SDK instance (a new session in SQL): no dedup memory, the stored values are used
    name: 'persisted_again',
    fixture: 'sticky_base',
    calls: [
      { kind: 'experiment', name: 'sticky_exp', user: { userID: 'p1' }, persisted: true },
      { kind: 'layer', name: 'sticky_layer', user: { userID: 'p3' }, persisted: true },
    ],
  },
];

async function main() {
  const only = process.argv[2];
  const out = [];
  for (const sc of SCENARIOS) {
    if (only && !sc.name.startsWith(only)) continue;
    out.push(await runScenario(sc));
  }
  if (only) {
    console.log(JSON.stringify(out, null, 1));
    return;
  }
  writeJsonLines(path.join(ROOT, 'goldens', 'exposures.json'), {
    generator: 'test/conformance/generator/exposures.js',
    sdk: `@statsig/statsig-node-core ${require('@statsig/statsig-node-core/package.json').version}`,
    ignored: ['time', 'metadata.receivedAt', 'metadata.reason before the colon (the specs source)'],
    scenarios: out,
  }, 'scenarios');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
