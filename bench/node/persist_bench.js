'use strict';
// Figure 3, application side: node-core with a persistent storage adapter
// backed by the same PostgreSQL over a real connection (npm "pg"; the
// connection comes from the usual PGHOST/PGPORT/PGUSER/... variables that
// pg_virtualenv sets).
//
//   node persist_bench.js --dcs v1.json --users users.jsonl --n N --experiment E
//
// What a service does per request: load the user's persisted values with a
// SELECT (Server Core 0.23.2's adapter "load" is synchronous, so the values
// are fetched beforehand and passed as userPersistedValues, {} when there
// are none: what statsig-node's getUserPersistedValues does), evaluate, and
// let the SDK call the adapter's save/delete, which issue INSERT ... ON
// CONFLICT / DELETE on the same connection (not awaited by the request,
// awaited before the clock stops).  Storage table: the shape of the
// extension's ea_assignments, one row per (unit id, id type, config name)
// holding the StickyValues JSON.
//
// Two passes over the same users: "first" (empty storage: every user in an
// experiment group is saved) and "sticky" (everyone already stored).
// Prints one JSON line: {impl, kind: "persist", n, first, sticky} with
// seconds, saves, deletes and a tally of result reasons per pass.
const c = require('./common');
const { Client } = require('pg');

const TABLE = 'bench_node_sticky';

function splitKey(key) {
  // "<unit id>:<id type>"; unit ids may contain ':' themselves
  const i = key.lastIndexOf(':');
  return [key.slice(0, i), key.slice(i + 1)];
}

async function main() {
  const a = c.parseArgs(process.argv.slice(2));
  const v1 = c.readV1(c.need(a, 'dcs'));
  const n = Number(c.need(a, 'n'));
  const exp = c.need(a, 'experiment');

  const db = new Client({ application_name: 'bench-node-persist' });
  await db.connect();
  await db.query(`DROP TABLE IF EXISTS ${TABLE}`);
  // the shape of the extension's ea_assignments
  await db.query(`CREATE TABLE ${TABLE} (
    unit_id text NOT NULL, id_type text NOT NULL, config_name text NOT NULL,
    group_name text, rule_id text, assigned_at timestamptz NOT NULL DEFAULT now(),
    sticky jsonb NOT NULL,
    PRIMARY KEY (unit_id, id_type, config_name))`);
  await db.query(`CREATE INDEX ON ${TABLE} (config_name, unit_id)`);

  const pending = new Set();
  const counters = { saves: 0, deletes: 0, errors: 0 };
  const track = (p) => {
    pending.add(p);
    p.catch(() => { counters.errors++; }).finally(() => pending.delete(p));
  };
  const storage = {
    load: () => null, // not used: values are fetched before each evaluation
    save: (key, configName, data) => {
      counters.saves++;
      const [unit, idType] = splitKey(key);
      track(db.query(
        `INSERT INTO ${TABLE} (unit_id, id_type, config_name, group_name, rule_id, sticky)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (unit_id, id_type, config_name)
         DO UPDATE SET group_name = EXCLUDED.group_name, rule_id = EXCLUDED.rule_id,
                       sticky = EXCLUDED.sticky, assigned_at = now()`,
        [unit, idType, configName, data.group_name ?? null, data.rule_id ?? null, JSON.stringify(data)]));
    },
    delete: (key, configName) => {
      counters.deletes++;
      const [unit, idType] = splitKey(key);
      track(db.query(`DELETE FROM ${TABLE} WHERE unit_id = $1 AND id_type = $2 AND config_name = $3`,
        [unit, idType, configName]));
    },
  };
  const loadValues = async (unit, idType) => {
    const res = await db.query(
      `SELECT config_name, sticky FROM ${TABLE} WHERE unit_id = $1 AND id_type = $2`, [unit, idType]);
    const out = {};
    for (const row of res.rows) out[row.config_name] = row.sticky;
    return out;
  };

  const statsig = await c.openNodeCore(v1, { persistentStorage: storage });
  const { StatsigUser } = require('@statsig/statsig-node-core');
  const users = [];
  for (const chunk of c.userChunks(a.users, n, 50000)) users.push(...chunk);

  // save/delete reach JS asynchronously: wait until they stop arriving and
  // every query they started has finished
  const settle = async () => {
    let last = -1;
    while (counters.saves + counters.deletes !== last || pending.size) {
      last = counters.saves + counters.deletes;
      await Promise.allSettled([...pending]);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const pass = async () => {
    counters.saves = 0;
    counters.deletes = 0;
    const reasons = {};
    const t0 = process.hrtime.bigint();
    for (const u of users) {
      const values = await loadValues(u.userID, 'userID');
      const r = statsig.getExperiment(new StatsigUser(u), exp,
        { disableExposureLogging: true, userPersistedValues: values });
      const reason = (r.details && r.details.reason) || '(none)';
      reasons[reason] = (reasons[reason] || 0) + 1;
    }
    await settle();
    const ns = process.hrtime.bigint() - t0 - 20000000n; // settle's last idle wait
    return { seconds: Number(ns) / 1e9, saves: counters.saves, deletes: counters.deletes, reasons };
  };

  const first = await pass();
  const sticky = await pass();
  const stored = (await db.query(`SELECT count(*)::int AS c FROM ${TABLE}`)).rows[0].c;
  c.emit({ impl: 'node-core+pg', kind: 'persist', name: exp, n: users.length, first, sticky, stored, errors: counters.errors });
  await statsig.shutdown();
  await db.end();
}

main().then(() => process.exit(0), (e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
