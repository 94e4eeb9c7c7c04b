#!/usr/bin/env node
'use strict';
// Conformance corpus generator: writes fixtures (v1 + derived v2 + ID lists) and the
// golden answers of statsig-node (v1) and @statsig/statsig-node-core (v2) for them.
// Usage: cd test/conformance/generator && npm ci && node generate.js [--skip-sticky]

// statsig-node's "on" operator compares calendar days in the process time zone.
process.env.TZ = 'UTC';

const path = require('path');
const { all: allFixtures } = require('./lib/fixtures');
const { toV2 } = require('./lib/v2');
const { seededRng, writeJson, writeJsonLines, canon, sortKeys } = require('./lib/util');
const nodecore = require('./lib/nodecore');
const legacy = require('./lib/legacy');

const ROOT = path.resolve(__dirname, '..');
const FIX_DIR = path.join(ROOT, 'fixtures');
const GOLD_DIR = path.join(ROOT, 'goldens');

function kindOf(section, s) {
  if (section === 'feature_gates') return 'gate';
  if (section === 'layer_configs') return 'layer';
  return s.entity === 'dynamic_config' ? 'config' : 'experiment';
}

function specList(v1) {
  const out = [];
  for (const section of ['feature_gates', 'dynamic_configs', 'layer_configs']) {
    for (const s of v1[section]) out.push({ kind: kindOf(section, s), name: s.name });
  }
  // names the document does not contain
  out.push({ kind: 'gate', name: 'unknown_gate_name' });
  out.push({ kind: 'config', name: 'unknown_config_name' });
  out.push({ kind: 'experiment', name: 'unknown_experiment_name' });
  out.push({ kind: 'layer', name: 'unknown_layer_name' });
  return out;
}

function usersFor(f) {
  const rng = seededRng(`users:${f.name}`);
  const users = f.users.slice();
  for (let i = 0; i < f.populationSize; i++) users.push(f.population(rng, i));
  return users;
}

// The fields the C tests compare; anything else an SDK reports goes to sdk_details.
const COMPARED = ['value', 'rule_id', 'group_name', 'id_type', 'is_experiment_group', 'secondary_exposures',
  'allocated_experiment_name', 'undelegated_secondary_exposures', 'explicit_parameters'];

function split(e) {
  const expected = {};
  const details = {};
  for (const [k, v] of Object.entries(e)) {
    if (COMPARED.includes(k)) expected[k] = k === 'value' ? sortKeys(v) : v;
    else details[k] = v;
  }
  return { expected, details };
}

function goldenName(fixture, tier, sdkTag) {
  return `${fixture}${tier ? `.${tier}` : ''}.${sdkTag}.json`;
}

async function runNodeCore(f, v2Doc, users, specs, tier) {
  const h = await nodecore.open({ v2Doc, idLists: f.idLists, tier });
  const cases = [];
  const rejected = [];
  try {
    for (const u of users) {
      let su;
      try {
        su = nodecore.makeUser(u);
      } catch (err) {
        rejected.push({ user: u, error: String(err && err.message ? err.message : err) });
        continue;
      }
      const cir = nodecore.cirIndex(h.statsig, su);
      for (const sp of specs) {
        const r = nodecore.evaluate(h.statsig, su, cir, sp.kind, sp.name);
        const { expected, details } = split(r.expected);
        if (r.raw.isExperimentActive !== undefined && (sp.kind === 'experiment' || sp.kind === 'layer')) {
          details.is_experiment_active = r.raw.isExperimentActive;
        }
        cases.push({ user: u, kind: sp.kind, name: sp.name, expected, sdk_details: details });
      }
    }
  } finally {
    await h.close();
  }
  return { cases, rejected };
}

async function runLegacy(f, v1Doc, users, specs, tier) {
  const h = await legacy.open({ v1Doc, idLists: f.idLists, tier });
  const cases = [];
  const rejected = [];
  try {
    for (const u of users) {
      for (const sp of specs) {
        let r;
        try {
          r = legacy.evaluate(h.server, u, sp.kind, sp.name);
        } catch (err) {
          if (sp === specs[0]) rejected.push({ user: u, error: String(err && err.message ? err.message : err) });
          continue;
        }
        const { expected, details } = split(r.expected);
        cases.push({ user: u, kind: sp.kind, name: sp.name, expected, sdk_details: details });
      }
    }
  } finally {
    await h.close();
  }
  return { cases, rejected };
}

function diffCases(coreCases, legacyCases) {
  const key = (c) => `${canon(c.user)}|${c.kind}|${c.name}`;
  const legacyByKey = new Map(legacyCases.map((c) => [key(c), c]));
  const out = [];
  for (const c of coreCases) {
    const l = legacyByKey.get(key(c));
    if (!l) continue;
    const fields = [];
    for (const k of COMPARED) {
      if (!(k in c.expected) || !(k in l.expected)) continue;
      if (canon(c.expected[k]) !== canon(l.expected[k])) fields.push(k);
    }
    if (fields.length) {
      out.push({
        user: c.user, kind: c.kind, name: c.name, fields,
        node_core: Object.fromEntries(fields.map((k) => [k, c.expected[k]])),
        statsig_node: Object.fromEntries(fields.map((k) => [k, l.expected[k]])),
      });
    }
  }
  return out;
}

async function main() {
  const skipSticky = process.argv.includes('--skip-sticky');
  const fixtures = allFixtures();
  const summary = {
    description: 'Counts of (user, spec) cases per golden file; see ../README.md',
    sdks: { [nodecore.SDK_NAME]: nodecore.SDK_VERSION, [legacy.SDK_NAME]: legacy.SDK_VERSION },
    files: {},
    totals: { [nodecore.SDK_NAME]: 0, [legacy.SDK_NAME]: 0 },
    disagreements: {},
  };
  const allDisagreements = {};

  for (const f of fixtures) {
    const v1Doc = f.doc;
    const v2Doc = toV2(v1Doc);
    const v1Rel = `fixtures/${f.name}.v1.json`;
    const v2Rel = `fixtures/${f.name}.v2.json`;
    const idRel = f.idLists ? `fixtures/${f.name}.idlists.json` : null;
    writeJson(path.join(ROOT, v1Rel), v1Doc);
    writeJson(path.join(ROOT, v2Rel), v2Doc);
    if (f.idLists) writeJson(path.join(ROOT, idRel), f.idLists);

    const users = usersFor(f);
    const specs = specList(v1Doc);
    for (const tier of f.tiers || [null]) {
      const core = await runNodeCore(f, v2Doc, users, specs, tier);
      const leg = await runLegacy(f, v1Doc, users, specs, tier);
      const coreFile = goldenName(f.name, tier, 'node-core');
      const legFile = goldenName(f.name, tier, 'statsig-node');
      writeJsonLines(path.join(GOLD_DIR, coreFile), {
        sdk: nodecore.SDK_NAME,
        sdk_version: nodecore.SDK_VERSION,
        dcs: v2Rel,
        idlists: idRel,
        environment_tier: tier,
        rejected_users: core.rejected,
        cases: core.cases,
      }, 'cases');
      writeJsonLines(path.join(GOLD_DIR, legFile), {
        sdk: legacy.SDK_NAME,
        sdk_version: legacy.SDK_VERSION,
        dcs: v1Rel,
        idlists: idRel,
        environment_tier: tier,
        rejected_users: leg.rejected,
        cases: leg.cases,
      }, 'cases');
      summary.files[coreFile] = { sdk: nodecore.SDK_NAME, cases: core.cases.length, rejected_users: core.rejected.length };
      summary.files[legFile] = { sdk: legacy.SDK_NAME, cases: leg.cases.length, rejected_users: leg.rejected.length };
      summary.totals[nodecore.SDK_NAME] += core.cases.length;
      summary.totals[legacy.SDK_NAME] += leg.cases.length;
      const d = diffCases(core.cases, leg.cases);
      const tag = `${f.name}${tier ? `.${tier}` : ''}`;
      allDisagreements[tag] = d;
      const bySpec = {};
      for (const x of d) bySpec[`${x.kind}:${x.name}`] = (bySpec[`${x.kind}:${x.name}`] || 0) + 1;
      summary.disagreements[tag] = { cases: d.length, by_spec: bySpec };
      console.log(`${tag}: node-core ${core.cases.length} cases, statsig-node ${leg.cases.length} cases, ${d.length} disagreements`);
    }
  }
  const flat = [];
  for (const [tag, list] of Object.entries(allDisagreements)) for (const x of list) flat.push({ fixture: tag, ...x });
  writeJsonLines(path.join(GOLD_DIR, 'sdk_disagreements.json'), {
    description: 'Cases where statsig-node (v1) and node-core (v2) answer differently; node-core is authoritative. See ../README.md.',
    cases: flat,
  }, 'cases');

  if (!skipSticky) {
    const sticky = require('./lib/sticky');
    const stickySummary = await sticky.generateAll({ root: ROOT });
    summary.sticky = stickySummary;
  }
  writeJson(path.join(GOLD_DIR, 'summary.json'), summary);
  console.log('totals', JSON.stringify(summary.totals));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
