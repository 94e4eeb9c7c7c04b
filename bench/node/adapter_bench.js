'use strict';
// The Node storage adapter's cost per load/save/delete (adapters/node,
// ExperimentAssignStorage) against a plain hand-written adapter: the npm
// "pg" pool on the main thread with the obvious SQL on a table of
// ea_assignments' shape (what bench/node/persist_bench.js uses).  Both pools
// have the same size; the database is the one bench/run.sh set up
// (PGHOST/PGPORT/PGUSER...; experiment_assign created there).
//
//   node adapter_bench.js --ops N
//
// Three rounds, alternating which adapter goes first; the median is printed.
// For each adapter, over N distinct units holding one StickyValues each:
//   load latency: one load awaited at a time (the async load; for the
//     extension's adapter also the synchronous load() node-core's
//     interface declares);
//   save and delete, pipelined: N calls made as node-core makes them (not
//     awaited), then waited for together: the cost per call at throughput;
//   save latency: one save awaited at a time.
// Prints JSON lines {impl: "adapter", kind: "adapter", which, op, ns_per_op,
// cpu_ns_per_op} (wall time, and CPU time of the Node process per call).
const path = require('path');
const c = require('./common');
const { Pool } = require('pg');
const { ExperimentAssignStorage } = require(path.join(__dirname, '..', '..', 'adapters', 'node'));

const TABLE = 'bench_plain_adapter';
const POOL = 4;
const ROUNDS = 3;

const sticky = (i) => ({
  value: true, json_value: { color: i % 2 ? 'green' : 'blue' }, rule_id: i % 2 ? 'exp_test' : 'exp_control',
  group_name: i % 2 ? 'Test' : 'Control', secondary_exposures: [], undelegated_secondary_exposures: null,
  config_delegate: null, explicit_parameters: null, time: 1700000000000, config_version: 1,
});

function splitKey(key) {
  const i = key.lastIndexOf(':');
  return [key.slice(0, i), key.slice(i + 1)];
}

// the hand-written adapter, as a service would write it without this package
function plainAdapter(pool) {
  const pending = new Set();
  const track = (p) => { pending.add(p); p.finally(() => pending.delete(p)); return p; };
  return {
    loadAsync: async (key) => {
      const [u, t] = splitKey(key);
      const r = await pool.query(`SELECT config_name, sticky FROM ${TABLE} WHERE unit_id = $1 AND id_type = $2`, [u, t]);
      const out = {};
      for (const row of r.rows) out[row.config_name] = row.sticky;
      return out;
    },
    save: (key, name, data) => {
      const [u, t] = splitKey(key);
      track(pool.query(`INSERT INTO ${TABLE} (unit_id, id_type, config_name, group_name, rule_id, sticky)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unit_id, id_type, config_name) DO NOTHING`,
      [u, t, name, data.group_name, data.rule_id, JSON.stringify(data)]));
    },
    delete: (key, name) => {
      const [u, t] = splitKey(key);
      track(pool.query(`DELETE FROM ${TABLE} WHERE unit_id = $1 AND id_type = $2 AND config_name = $3`, [u, t, name]));
    },
    flush: async () => { while (pending.size) await Promise.allSettled([...pending]); },
  };
}

// {ns: wall time per call, cpu_ns: CPU time of this process (every
// thread, so the adapter's storage thread too) per call}
async function time(n, fn) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const ns = Number(process.hrtime.bigint() - t0) / n;
  const c = process.cpuUsage(c0);
  return { ns, cpu_ns: ((c.user + c.system) * 1000) / n };
}

// One round of every measurement; results[which][op] collects ns per op.
async function measure(results, which, a, n, prefix, sync) {
  const keys = Array.from({ length: n }, (_, i) => `${prefix}${i}:userID`);
  const out = (op, t) => {
    results[which] = results[which] || {};
    (results[which][op] = results[which][op] || []).push(t);
  };
  // warm-up (connections, plans)
  for (let i = 0; i < 50; i++) await a.loadAsync(`warm${i}:userID`);
  out('save (pipelined)', await time(n, async () => {
    keys.forEach((k, i) => a.save(k, 'bench_exp', sticky(i)));
    await a.flush();
  }));
  out('load (async, awaited one by one)', await time(n, async () => {
    for (const k of keys) await a.loadAsync(k);
  }));
  if (sync) {
    out('load (synchronous)', await time(n, async () => {
      for (const k of keys) a.load(k);
    }));
  }
  out('delete (pipelined)', await time(n, async () => {
    keys.forEach((k) => a.delete(k, 'bench_exp'));
    await a.flush();
  }));
  out('save (awaited one by one)', await time(n, async () => {
    for (let i = 0; i < n; i++) {
      a.save(keys[i], 'bench_exp', sticky(i));
      await a.flush();
    }
  }));
}

async function main() {
  const args = c.parseArgs(process.argv.slice(2));
  const n = Number(c.need(args, 'ops'));
  const pool = new Pool({ max: POOL, application_name: 'bench-plain-adapter' });
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pool.query(`CREATE TABLE ${TABLE} (
    unit_id text NOT NULL, id_type text NOT NULL, config_name text NOT NULL,
    group_name text, rule_id text, assigned_at timestamptz NOT NULL DEFAULT now(),
    sticky jsonb NOT NULL, PRIMARY KEY (unit_id, id_type, config_name))`);
  await pool.query(`DELETE FROM ea_assignments WHERE config_name = 'bench_exp'`);

  const plain = plainAdapter(pool);
  const storage = new ExperimentAssignStorage({ max: POOL });
  // the plain adapter's flush has no grace period: compare like with like
  const ea = {
    loadAsync: (k) => storage.loadAsync(k),
    load: (k) => storage.load(k),
    save: (k, name, d) => storage.save(k, name, d),
    delete: (k, name) => storage.delete(k, name),
    flush: () => storage.flush(0),
  };
  // rounds alternate which adapter goes first; the median of the rounds is
  // reported (the machine is shared)
  const results = {};
  for (let round = 0; round < ROUNDS; round++) {
    const both = [['plain pg', plain, false], ['ExperimentAssignStorage', ea, true]];
    if (round % 2) both.reverse();
    for (const [which, a, sync] of both) await measure(results, which, a, n, `${which[0]}${round}_`, sync);
  }
  const median = (v) => v.slice().sort((x, y) => x - y)[Math.floor(v.length / 2)];
  for (const [which, ops] of Object.entries(results)) {
    for (const [op, v] of Object.entries(ops)) {
      c.emit({
        impl: 'adapter', kind: 'adapter', which, op, n, rounds: v.length,
        ns_per_op: median(v.map((t) => t.ns)), cpu_ns_per_op: median(v.map((t) => t.cpu_ns)),
      });
    }
  }
  await storage.close();
  await pool.query(`DROP TABLE ${TABLE}`);
  await pool.query(`DELETE FROM ea_assignments WHERE config_name = 'bench_exp'`);
  await pool.end();
}

main().then(() => process.exit(0), (e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
