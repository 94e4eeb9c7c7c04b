#!/usr/bin/env node
'use strict';
// Replays the exposure golden (test/conformance/goldens/exposures.json, recorded from
// @statsig/statsig-node-core 0.23.2) in SQL and compares the events field by field.
//   node conformance.js count                    number of scenarios
//   node conformance.js sql N                    the psql script of scenario N
//   node conformance.js compare N EVENTS_FILE    compare one JSON event per line
// Fields that must differ and are ignored: time, metadata.receivedAt (clocks), and the
// specs-source prefix of metadata.reason ("Adapter(DataStore):" in the SDK, "Bootstrap:"
// here); the rest of reason is compared.
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');
const golden = JSON.parse(fs.readFileSync(path.join(REPO, 'test/conformance/goldens/exposures.json'), 'utf8'));

const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;

function sqlFor(sc) {
  const lines = [];
  const doc = path.join(REPO, 'test/conformance/fixtures', `${sc.fixture}.v2.json`);
  lines.push('\\set ON_ERROR_STOP 1');
  lines.push('SET client_min_messages = warning;');
  lines.push(`SET experiment_assign.environment_tier = ${lit(sc.environment || '')};`);
  lines.push(`SELECT load_config_specs(${lit(fs.readFileSync(doc, 'utf8'))}::jsonb) IS NOT NULL AS loaded \\gset`);
  lines.push('TRUNCATE ea_exposures;');
  for (const c of sc.calls) {
    const u = `${lit(JSON.stringify(c.user))}::jsonb`;
    if (c.persisted) {
      const fn = c.kind === 'layer' ? 'get_layer' : 'get_experiment';
      lines.push(`SELECT ${fn}(${u}, ${lit(c.name)}, get_user_persisted_values(${u}, ${lit(c.id_type || 'userID')})) IS NOT NULL AS ok \\gset`);
    } else {
      const p = c.parameter === undefined ? 'NULL' : lit(c.parameter);
      lines.push(`SELECT log_exposure(${u}, ${lit(c.kind)}, ${lit(c.name)}, ${p}) IS NOT NULL AS ok \\gset`);
    }
  }
  lines.push('\\t on');
  lines.push('\\a');
  lines.push('SELECT event FROM ea_exposures ORDER BY id;');
  return `${lines.join('\n')}\n`;
}

function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = canon(v[k]);
    return out;
  }
  return v;
}

function normalise(e) {
  const c = JSON.parse(JSON.stringify(e));
  delete c.time;
  if (c.metadata) {
    delete c.metadata.receivedAt;
    if (typeof c.metadata.reason === 'string') c.metadata.reason = c.metadata.reason.replace(/^[^:]*:/, '');
  }
  return JSON.stringify(canon(c));
}

function compare(sc, file) {
  const got = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  const want = sc.events;
  const g = got.map(normalise).sort();
  const w = want.map(normalise).sort();
  let bad = 0;
  const missing = w.filter((x) => !g.includes(x));
  const extra = g.filter((x) => !w.includes(x));
  for (const m of missing) { console.log(`  missing: ${m}`); bad++; }
  for (const m of extra) { console.log(`  extra:   ${m}`); bad++; }
  if (g.length !== w.length) { console.log(`  count: got ${g.length}, node-core logged ${w.length}`); bad++; }
  // fields that are only compared for presence
  for (const e of got) {
    if (typeof e.time !== 'number') { console.log(`  no numeric time: ${JSON.stringify(e)}`); bad++; }
  }
  console.log(`${sc.name}: ${w.length} events from node-core, ${g.length} recorded, ${bad ? 'DIFFERENT' : 'equal'}`);
  return bad === 0;
}

const [cmd, n, file] = process.argv.slice(2);
if (cmd === 'count') console.log(golden.scenarios.length);
else if (cmd === 'sql') process.stdout.write(sqlFor(golden.scenarios[Number(n)]));
else if (cmd === 'compare') process.exit(compare(golden.scenarios[Number(n)], file) ? 0 : 1);
else {
  console.error('usage: conformance.js count | sql N | compare N FILE');
  process.exit(2);
}
