'use strict';
// The Node service and SQL share sticky groups, call for call.
//
//   node shared_groups.js        (PGHOST/PGPORT/PGUSER: a superuser; EA_DB:
//                                 a database with experiment_assign; EA_REPO)
//
// 1. Every sticky golden scenario of test/conformance/goldens (allocation
//    changes, group split, targeting, experiment ending, overrides, layers,
//    NULL/None deletes, a custom id type) is replayed with each step run
//    twice on the same storage: once by node-core 0.23.2 with
//    ExperimentAssignStorage (as the application role), once in SQL
//    (persistence-aware get_experiment/get_layer, or the trigger), the order
//    alternating per step; the whole replay runs twice, the second time in
//    the other order.  Each call must return the golden's group and rule,
//    "Persisted" exactly when expected, and leave ea_assignments equal to the
//    golden's storage after the step.
// 2. Concurrent first assignment: node-core (on a 50/50 document) and SQL
//    (on a 0/100 document) assign the same new unit at once, many times;
//    each time one row is stored and both sides return its group.
// 3. Edge cases of the adapter: the synchronous load() and node-core's own
//    calls (it never calls load), a save node-core makes when values are
//    stale keeps the first value, errors and timeouts.
const fs = require('fs');
const net = require('net');
const path = require('path');
const { Client } = require('pg');
const { Statsig, StatsigUser } = require('@statsig/statsig-node-core');
const { ExperimentAssignStorage, storageKey } = require('..');

const REPO = process.env.EA_REPO || path.resolve(__dirname, '..', '..', '..');
const CONF = path.join(REPO, 'test', 'conformance');
const DB = process.env.EA_DB;
const APP_ROLE = 'ea_node_app';
const APP_PASSWORD = 'node-app-secret';

const debug = process.env.EA_DEBUG ? (...a) => console.log('debug:', ...a) : () => {};
let checks = 0;
let failures = 0;
const counts = { node: 0, sql_function: 0, sql_trigger: 0 };

function check(ok, what) {
  checks++;
  if (!ok) {
    failures++;
    console.error(`FAIL: ${what}`);
  }
}

const canon = (v) => JSON.stringify(sortKeys(v));
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// node-core over one document, offline (as test/conformance/generator does)
async function openStatsig(doc, persistentStorage) {
  const text = JSON.stringify(doc);
  const options = {
    dataStore: {
      initialize: async () => {},
      shutdown: async () => {},
      get: async (key) => (key.includes('/download_config_specs') ? { result: text, time: doc.time } : {}),
      set: async () => {},
      supportPollingUpdatesFor: async () => false,
    },
    outputLogLevel: 'none',
    disableAllLogging: true,
    disableNetwork: true,
    disableCountryLookup: true,
    specsSyncIntervalMs: 3600 * 1000,
  };
  if (persistentStorage) options.persistentStorage = persistentStorage;
  const statsig = new Statsig('secret-adapter-test', options);
  const res = await statsig.initialize();
  if (!res.isSuccess) throw new Error(`node-core init failed: ${JSON.stringify(res)}`);
  return statsig;
}

async function main() {
  if (!DB) throw new Error('EA_DB is not set');
  const admin = new Client({ database: DB });
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS experiment_assign');
  await admin.query(`DROP ROLE IF EXISTS ${APP_ROLE}`);
  await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD}'`);
  // Privileges: with grant_assignment_access() (the least-privilege model of
  // 0.2.0), one call grants every assignment function, the adapter's
  // included; without it, the adapter's functions are granted explicitly
  // (the persistence-aware evaluators and the trigger are then PUBLIC).
  const ADAPTER_FUNCTIONS = ['delete_user_persisted_value(text,text)', 'get_user_persisted_values(text)',
    'save_user_persisted_value(text,text,jsonb)'];
  const managed = (await admin.query(`SELECT to_regprocedure('grant_assignment_access(regrole)') IS NOT NULL AS m`)).rows[0].m;
  if (managed) {
    const granted = (await admin.query(`SELECT f::text AS f FROM grant_assignment_access('${APP_ROLE}') AS f`)).rows.map((r) => r.f);
    for (const f of ADAPTER_FUNCTIONS) check(granted.includes(f), `grant_assignment_access() grants ${f}`);
  } else {
    await admin.query(`GRANT EXECUTE ON FUNCTION ${ADAPTER_FUNCTIONS.join(', ')} TO ${APP_ROLE}`);
  }
  await admin.query(`CREATE TABLE signups (id serial PRIMARY KEY, u jsonb, result jsonb)`);
  await admin.query(`CREATE TRIGGER assign BEFORE INSERT ON signups FOR EACH ROW
      EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'u', 'result')`);
  await admin.query(`GRANT INSERT, SELECT ON signups TO ${APP_ROLE}; GRANT USAGE ON SEQUENCE signups_id_seq TO ${APP_ROLE}`);

  const appConn = {
    host: process.env.PGHOST, port: process.env.PGPORT, user: APP_ROLE, password: APP_PASSWORD, database: DB,
  };
  const sql = new Client(appConn); // SQL evaluations run as the application role too
  await sql.connect();
  const storage = new ExperimentAssignStorage(appConn);
  const calls = [];
  const spy = {
    load: (k) => { calls.push(['load', k]); return storage.load(k); },
    save: (k, c, d) => { calls.push(['save', k, c]); storage.save(k, c, d); },
    delete: (k, c) => { calls.push(['delete', k, c]); storage.delete(k, c); },
  };

  const docs = {};
  const instances = {};
  const docText = (f) => (docs[f] = docs[f] || fs.readFileSync(path.join(CONF, f), 'utf8'));
  const nodeFor = async (f) => (instances[f] = instances[f] || await openStatsig(JSON.parse(docText(f)), spy));
  let loaded = null;
  const sqlDoc = async (f) => {
    if (loaded !== f) await admin.query('SELECT load_config_specs($1::jsonb)', [docText(f)]);
    loaded = f;
  };
  const store = async () => (await admin.query(`SELECT COALESCE(jsonb_object_agg(k, v), '{}') AS s FROM (
      SELECT unit_id || ':' || id_type AS k, jsonb_object_agg(config_name, sticky - 'time') AS v
      FROM ea_assignments GROUP BY unit_id, id_type) x`)).rows[0].s;

  // ---- one call on each side: {group, rule, persisted, allocated} ----
  const nodeCall = async (c) => {
    debug('node', c.dcs, c.name);
    const statsig = await nodeFor(c.dcs);
    const user = new StatsigUser(JSON.parse(JSON.stringify(c.user)));
    const opts = { disableExposureLogging: true };
    if (c.persisted === 'stored') opts.userPersistedValues = await storage.getUserPersistedValues(user, c.id_type);
    else opts.userPersistedValues = undefined; // the SDK's None: delete
    if (c.enforce_targeting) opts.enforceTargeting = true;
    if (c.enforce_overrides) opts.enforceOverrides = true;
    debug('values', opts.userPersistedValues);
    const r = c.kind === 'layer' ? statsig.getLayer(user, c.name, opts) : statsig.getExperiment(user, c.name, opts);
    await storage.flush();
    counts.node++;
    return {
      group: r.groupName == null ? null : r.groupName,
      rule: r.ruleID,
      reason: r.details.reason,
      allocated: c.kind === 'layer' ? (r.allocatedExperimentName || null) : undefined,
    };
  };
  let triggerTurn = false;
  const sqlCall = async (c) => {
    debug('sql', c.dcs, c.name);
    await sqlDoc(c.dcs);
    let r;
    const plain = c.persisted === 'stored' && !c.enforce_targeting && !c.enforce_overrides && c.kind === 'experiment';
    if (plain && (triggerTurn = !triggerTurn)) {
      r = (await sql.query('INSERT INTO signups (u) VALUES ($1) RETURNING result', [c.user])).rows[0].result;
      counts.sql_trigger++;
    } else {
      const fn = c.kind === 'layer' ? 'get_layer' : 'get_experiment';
      r = (await sql.query(`SELECT ${fn}($1::jsonb, $2, CASE WHEN $3 THEN get_user_persisted_values($1::jsonb, $4) END, $5, $6) AS r`,
        [c.user, c.name, c.persisted === 'stored', c.id_type, !!c.enforce_targeting, !!c.enforce_overrides])).rows[0].r;
      counts.sql_function++;
    }
    return {
      group: r.group_name == null ? null : r.group_name,
      rule: r.rule_id,
      reason: r.reason,
      allocated: c.kind === 'layer' ? (r.allocated_experiment_name || null) : undefined,
    };
  };

  // ---- 1. the golden scenarios, alternating ----
  const goldens = fs.readdirSync(path.join(CONF, 'goldens')).filter((f) => /^sticky_.*\.json$/.test(f)).sort();
  for (const flip of [0, 1]) {
    for (const g of goldens) {
      const golden = readJson(path.join(CONF, 'goldens', g));
      await admin.query('DELETE FROM ea_assignments');
      golden.steps.forEach((s, i) => { s.index = i; });
      for (const step of golden.steps) {
        const c = { ...step.call, dcs: step.dcs };
        const exp = step.expected;
        const saved = step.storage_calls.some((sc) => sc.op === 'save');
        const order = (step.index + flip) % 2 === 0 ? ['node', 'sql'] : ['sql', 'node'];
        for (let k = 0; k < 2; k++) {
          const side = order[k];
          const r = side === 'node' ? await nodeCall(c) : await sqlCall(c);
          const where = `${g} step ${step.index} (${side}, ${k === 0 ? 'first' : 'second'} call)`;
          check(r.group === (exp.group_name == null ? null : exp.group_name), `${where}: group ${r.group}, expected ${exp.group_name}`);
          check(r.rule === exp.rule_id, `${where}: rule ${r.rule}, expected ${exp.rule_id}`);
          if (c.kind === 'layer') {
            check(r.allocated === exp.allocated_experiment_name, `${where}: allocated ${r.allocated}, expected ${exp.allocated_experiment_name}`);
          }
          // the first call is the golden's; a repeat of a step that saved
          // returns the saved value
          const wantPersisted = /Persisted/.test(exp.reason) || (k === 1 && saved);
          check(/Persisted/.test(r.reason) === wantPersisted, `${where}: reason ${r.reason}, persisted expected ${wantPersisted}`);
          if (side === 'node' && k === 0) check(r.reason === exp.reason, `${where}: node-core reason ${r.reason}, golden ${exp.reason}`);
          const s = await store();
          check(canon(s) === canon(step.stored_after), `${where}: stored ${canon(s)}, expected ${canon(step.stored_after)}`);
        }
      }
    }
  }
  check(!calls.some((c) => c[0] === 'load'), 'node-core never calls load()');
  console.log(`scenarios: ${goldens.length} golden scenarios x 2 orders; calls: node ${counts.node}, ` +
    `SQL functions ${counts.sql_function}, SQL trigger ${counts.sql_trigger}; node-core storage calls: ` +
    `${calls.filter((c) => c[0] === 'save').length} save, ${calls.filter((c) => c[0] === 'delete').length} delete, ` +
    `${calls.filter((c) => c[0] === 'load').length} load`);

  // ---- 2. concurrent first assignment, node (50/50) against SQL (0/100) ----
  const base = 'fixtures/sticky_base.v2.json';
  const allTest = 'fixtures/sticky_split_all_test.v2.json';
  await sqlDoc(allTest);
  const nodeBase = await nodeFor(base);
  const picker = await openStatsig(JSON.parse(docText(base)));
  const controlUsers = [];
  for (let i = 0; controlUsers.length < 60 && i < 2000; i++) {
    const u = { userID: `race_${i}`, country: 'US' };
    if (picker.getExperiment(new StatsigUser(u), 'sticky_exp', { disableExposureLogging: true }).groupName === 'Control') controlUsers.push(u);
  }
  await picker.shutdown();
  const sql2 = new Client(appConn);
  await sql2.connect();
  const wins = { node: 0, sql: 0 };
  // a random head start of up to 3 ms for one side or the other, so that
  // either may store first
  const after = (ms, f) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)).then(f) : f());
  for (const [i, u] of controlUsers.entries()) {
    const jitter = Math.floor(Math.random() * 4);
    const [rSql, rNode] = await Promise.all([
      after(i % 2 ? jitter : 0, () => sql2.query(
        `SELECT get_experiment($1::jsonb, 'sticky_exp', get_user_persisted_values($1::jsonb, 'userID')) ->> 'group_name' AS g`, [u])),
      after(i % 2 ? 0 : jitter, () => storage.getExperiment(nodeBase, new StatsigUser(u), 'sticky_exp',
        { idType: 'userID', disableExposureLogging: true })),
    ]);
    const rows = (await admin.query(`SELECT group_name FROM ea_assignments WHERE unit_id = $1 AND config_name = 'sticky_exp'`, [u.userID])).rows;
    check(rows.length === 1, `race ${u.userID}: ${rows.length} rows stored`);
    const stored = rows.length ? rows[0].group_name : null;
    check(rSql.rows[0].g === stored && rNode.groupName === stored,
      `race ${u.userID}: SQL ${rSql.rows[0].g}, node ${rNode.groupName}, stored ${stored}`);
    if (stored === 'Control') wins.node++;
    else wins.sql++;
  }
  await sql2.end();
  console.log(`concurrent first assignments: ${controlUsers.length} units, one group each ` +
    `(node stored first ${wins.node}, SQL stored first ${wins.sql})`);

  // ---- 3. the adapter itself ----
  await sqlDoc(base);
  await admin.query('DELETE FROM ea_assignments');
  const u = new StatsigUser({ userID: 'edge_1', country: 'US' });
  const key = storageKey(u, 'userID');
  check(key === 'edge_1:userID', `storage key ${key}`);
  check(canon(storage.load(key)) === '{}', 'sync load of an unknown unit is {}');
  const live = nodeBase.getExperiment(u, 'sticky_exp', { userPersistedValues: {}, disableExposureLogging: true });
  // node-core hands the save to JavaScript from a background thread; once
  // it has, a synchronous load of the key runs after it
  for (let i = 0; i < 1000 && !calls.some((c) => c[0] === 'save' && c[1] === key); i++) {
    await new Promise((r) => setImmediate(r));
  }
  check(storage.load(key).sticky_exp && storage.load(key).sticky_exp.group_name === live.groupName,
    'sync load reads a save node-core queued just before (same key, in order)');
  const full = (await admin.query(`SELECT sticky FROM ea_assignments WHERE unit_id = 'edge_1'`)).rows[0].sticky;
  check(full.time === JSON.parse(docText(base)).time, `stored time ${full.time} is the document's time, as node-core writes it`);
  // stale values (nothing passed): node-core saves again; the first value is kept
  await admin.query(`UPDATE ea_assignments SET sticky = jsonb_set(sticky, '{group_name}', '"Kept"') WHERE unit_id = 'edge_1'`);
  nodeBase.getExperiment(u, 'sticky_exp', { userPersistedValues: {}, disableExposureLogging: true });
  await storage.flush();
  check(storage.load(key).sticky_exp.group_name === 'Kept', 'a save over a stored value keeps the first value');
  // a save with a bad value goes to onError, with the SQLSTATE
  const errors = [];
  const s2 = new ExperimentAssignStorage({ ...appConn, onError: (e) => errors.push(e) });
  s2.save('edge_2:userID', 'sticky_exp', { value: 'yes' });
  s2.save('no-colon', 'sticky_exp', full);
  check((await s2.flush()) === 2 && errors.length === 2, `failed writes reported: ${errors.length}`);
  // different keys run in parallel: the errors come in either order
  const badValue = errors.find((e) => e.key === 'edge_2:userID');
  const badKey = errors.find((e) => e.key === 'no-colon');
  check(badValue && badValue.code === '22023' && badValue.operation === 'save' && /"value" must be a boolean/.test(badValue.detail),
    `bad value: ${badValue && badValue.code} ${badValue && badValue.detail}`);
  check(badKey && badKey.code === '22023' && /invalid storage key/.test(badKey.message), `bad key: ${badKey && badKey.message}`);
  let thrown = null;
  try { s2.load('no-colon'); } catch (e) { thrown = e; }
  check(thrown && thrown.code === '22023', `sync load of a bad key throws 22023: ${thrown && thrown.code}`);
  await s2.close();
  thrown = null;
  try { s2.load(key); } catch (e) { thrown = e; }
  check(thrown && thrown.code === 'ERR_STORAGE_CLOSED', 'load after close() throws ERR_STORAGE_CLOSED');
  // privileges: without the grant, the application role gets 42501
  await admin.query(`REVOKE EXECUTE ON FUNCTION get_user_persisted_values(text) FROM ${APP_ROLE}`);
  thrown = null;
  try { storage.load(key); } catch (e) { thrown = e; }
  check(thrown && thrown.code === '42501', `load without EXECUTE: ${thrown && thrown.code}`);
  await admin.query(`GRANT EXECUTE ON FUNCTION get_user_persisted_values(text) TO ${APP_ROLE}`);

  // an unreachable database: a server that accepts and never answers
  const silent = net.createServer(() => {});
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const hung = new ExperimentAssignStorage({
    host: '127.0.0.1', port: silent.address().port, user: APP_ROLE, database: DB,
    connectionTimeoutMs: 300, queryTimeoutMs: 300, loadTimeoutMs: 1000, onError: (e) => errors.push(e),
  });
  let t0 = Date.now();
  thrown = null;
  try { hung.load(key); } catch (e) { thrown = e; }
  const waited = Date.now() - t0;
  check(thrown && waited < 1500, `sync load against a silent server fails within its timeout (${waited} ms, ${thrown && thrown.code}: ${thrown && thrown.message})`);
  t0 = Date.now();
  thrown = null;
  try { await hung.getUserPersistedValues(u, 'userID'); } catch (e) { thrown = e; }
  check(thrown && Date.now() - t0 < 1500, `async load against a silent server rejects (${thrown && thrown.message})`);
  hung.save(key, 'sticky_exp', full);
  check((await hung.flush()) === 1, 'a save against a silent server is reported, not thrown');
  await hung.close();
  silent.close();
  const hungLoad = new ExperimentAssignStorage({
    ...appConn, queryTimeoutMs: 10000, loadTimeoutMs: 1000, onError: () => {},
  });
  // a load that waits behind a lock longer than loadTimeoutMs
  await admin.query('BEGIN');
  await admin.query(`LOCK TABLE ea_assignments IN ACCESS EXCLUSIVE MODE`);
  t0 = Date.now();
  thrown = null;
  try { hungLoad.load(key); } catch (e) { thrown = e; }
  const gaveUp = Date.now() - t0;
  check(thrown && thrown.code === 'ETIMEDOUT' && gaveUp < 3000, `sync load gives up after loadTimeoutMs: ${thrown && thrown.code} after ${gaveUp} ms`);
  await admin.query('ROLLBACK');
  // the late answer of the abandoned load arrives before this one (same
  // key, in order); the next synchronous load must skip it and get its own
  let later = null;
  try {
    await hungLoad.loadAsync(key);
    later = hungLoad.load('edge_other:userID');
  } catch (e) {
    later = e;
  }
  check(later && canon(later) === '{}', `the next load after a timeout gets its own answer: ${later && (later.message || canon(later))}`);
  await hungLoad.close();

  for (const s of Object.values(instances)) await s.shutdown();
  await storage.close();
  await sql.end();
  await admin.query('DELETE FROM ea_assignments; DROP TABLE signups');
  await admin.query(`DROP OWNED BY ${APP_ROLE}; DROP ROLE ${APP_ROLE}`);
  await admin.end();
  console.log(`${checks - failures} checks passed, ${failures} failed`);
  return failures === 0 ? 0 : 1;
}

// exit explicitly: after a failure, open clients must not keep the run alive
main().then((code) => process.exit(code), (e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
