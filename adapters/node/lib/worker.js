'use strict';
// The adapter's database thread.  It owns the connection pool and runs every
// statement of one ExperimentAssignStorage, so that the main thread can wait
// for a load() synchronously (Atomics.wait) while the queries it depends on
// make progress here.
//
// Requests arrive on `requests` in the order the application made them.
// Statements of one storage key run one after another in that order (a
// delete followed by a save stays in that order), different keys run in
// parallel up to the pool size.  Replies of synchronous loads go to
// `syncReplies` followed by a bump of the shared counter; every other reply
// goes back on `requests`.
const { workerData } = require('worker_threads');
const { Pool } = require('pg');

const { requests, syncReplies, signal, pool: poolConfig, schema } = workerData;
const counter = new Int32Array(signal);
const pool = new Pool(poolConfig);
// an idle client that loses its connection must not kill the thread; the
// next statement gets a fresh connection (and its error, if any)
pool.on('error', () => {});

const fn = (name) => (schema ? `${quoteIdent(schema)}.${name}` : name);
const SQL = {
  load: `SELECT ${fn('get_user_persisted_values')}($1::text) AS v`,
  save: `SELECT ${fn('save_user_persisted_value')}($1::text, $2::text, $3::jsonb) AS v`,
  delete: `SELECT ${fn('delete_user_persisted_value')}($1::text, $2::text) AS v`,
};

function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

// What crosses the thread boundary of a failure: the fields a Node
// developer looks at on a pg error.
function plainError(err) {
  const out = { message: err && err.message ? err.message : String(err) };
  for (const k of ['code', 'detail', 'hint', 'where', 'severity', 'errno', 'syscall', 'address', 'port']) {
    if (err && err[k] !== undefined) out[k] = err[k];
  }
  return out;
}

async function run(req) {
  switch (req.op) {
    case 'load':
      return (await pool.query(SQL.load, [req.key])).rows[0].v;
    case 'save':
      return (await pool.query(SQL.save, [req.key, req.configName, JSON.stringify(req.data)])).rows[0].v;
    case 'delete':
      return (await pool.query(SQL.delete, [req.key, req.configName])).rows[0].v;
    case 'ping':
      return (await pool.query('SELECT 1 AS v')).rows[0].v === 1;
    default:
      throw new Error(`unknown operation ${req.op}`);
  }
}

// per-key chains: the last promise queued for each storage key
const chains = new Map();

function reply(req, result) {
  if (req.sync) {
    syncReplies.postMessage({ id: req.id, ...result });
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  } else {
    requests.postMessage({ id: req.id, ...result });
  }
}

function handle(req) {
  if (req.op === 'close') {
    Promise.allSettled([...chains.values()])
      .then(() => pool.end())
      .then(() => reply(req, { ok: true }), (e) => reply(req, { ok: false, error: plainError(e) }));
    return;
  }
  const key = req.key === undefined ? null : req.key;
  const before = key === null ? Promise.resolve() : (chains.get(key) || Promise.resolve());
  const done = before.then(() => run(req)).then(
    (value) => reply(req, { ok: true, value }),
    (e) => reply(req, { ok: false, error: plainError(e) }));
  if (key !== null) {
    chains.set(key, done);
    done.then(() => {
      if (chains.get(key) === done) chains.delete(key);
    });
  }
}

requests.on('message', handle);
