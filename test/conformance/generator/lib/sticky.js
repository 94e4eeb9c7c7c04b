'use strict';
// Phase 2: persistent-assignment (sticky) scenarios run through @statsig/statsig-node-core.
// Each scenario is a sequence of calls over several versions of a small document; the
// persistent storage is a plain object shared by all steps of the scenario.
const path = require('path');
const { C, rule, gate, experiment, layer, range, document } = require('./dsl');
const { toV2 } = require('./v2');
const { writeJson, sortKeys } = require('./util');
const nodecore = require('./nodecore');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One document family. Options:
//   alloc: layerAssignment bucket upper bound (0..1000), split: Control upper bound,
//   active: isActive of sticky_exp, targeting: country list of the targeting gate (null = none),
//   override: userID forced into Test, idType: unit type of sticky_exp,
//   layerExpAActive / layerExpBActive, layerAllToB: layer delegates everyone to exp_b,
//   layerTargeting: country list of a targeting rule on sticky_layer_exp_a.
function stickyDoc(o) {
  const opt = {
    alloc: 1000, split: 500, active: true, targeting: null, override: null, idType: 'userID',
    layerExpAActive: true, layerExpBActive: true, layerAllToB: false, layerTargeting: null, ...o,
  };
  const idType = opt.idType;
  const gates = [
    gate('sticky_targeting', [rule('sticky_targeting_rule', [C.user('country', 'any', opt.targeting || [])])]),
    gate('sticky_layer_targeting', [rule('sticky_layer_targeting_rule', [C.user('country', 'any', opt.layerTargeting || [])])]),
  ];
  const expRules = [];
  if (opt.override) {
    expRules.push(rule('sticky_exp_test:userID:id_override', [C.user('userID', 'any', [opt.override])], {
      groupName: 'Test', ret: { color: 'green' }, salt: '',
    }));
  }
  // Like real documents, "layerAssignment" catches the users OUTSIDE the allocation and
  // returns the default value; here the allocation is the buckets below `alloc`.
  expRules.push(rule('layerAssignment', [C.bucket('gte', opt.alloc, 'sticky-alloc', idType)], {
    ret: { color: 'grey' }, salt: '', idType,
  }));
  if (opt.targeting) {
    expRules.push(rule('targetingGate', [C.failGate('sticky_targeting')], { ret: { color: 'grey' }, salt: '' }));
  }
  expRules.push(rule('sticky_exp_control', [C.bucket('lt', opt.split, 'salt-sticky_exp', idType)], {
    groupName: 'Control', ret: { color: 'blue' }, isExperimentGroup: true, idType,
  }));
  expRules.push(rule('sticky_exp_test', [C.bucket('lt', 1000, 'salt-sticky_exp', idType)], {
    groupName: 'Test', ret: { color: 'green' }, isExperimentGroup: true, idType,
  }));
  const layerExpARules = [];
  if (opt.layerTargeting) {
    layerExpARules.push(rule('targetingGate', [C.failGate('sticky_layer_targeting')], { ret: { title: 'default' }, salt: '' }));
  }
  layerExpARules.push(
    rule('sle_a_control', [C.bucket('lt', 500, 'salt-sticky_layer_exp_a')], { groupName: 'Control', ret: { title: 'A control' }, isExperimentGroup: true }),
    rule('sle_a_test', [C.bucket('lt', 1000, 'salt-sticky_layer_exp_a')], { groupName: 'Test', ret: { title: 'A test' }, isExperimentGroup: true }),
  );
  const configs = [
    experiment('sticky_exp', expRules, { defaultValue: { color: 'grey' }, isActive: opt.active, idType }),
    experiment('sticky_layer_exp_a', layerExpARules, {
      defaultValue: { title: 'default' }, isActive: opt.layerExpAActive, hasSharedParams: true, explicitParameters: ['title'],
    }),
    experiment('sticky_layer_exp_b', [
      rule('sle_b_control', [C.bucket('lt', 500, 'salt-sticky_layer_exp_b')], { groupName: 'Control', ret: { title: 'B control' }, isExperimentGroup: true }),
      rule('sle_b_test', [C.bucket('lt', 1000, 'salt-sticky_layer_exp_b')], { groupName: 'Test', ret: { title: 'B test' }, isExperimentGroup: true }),
    ], { defaultValue: { title: 'default' }, isActive: opt.layerExpBActive, hasSharedParams: true, explicitParameters: ['title'] }),
  ];
  const layerRules = opt.layerAllToB
    ? [rule('experimentAssignment', [C.bucket('any', range(0, 1000), 'salt-sticky_layer')], { configDelegate: 'sticky_layer_exp_b', ret: { title: 'default' }, salt: '' })]
    : [
      rule('experimentAssignment', [C.bucket('any', range(0, 500), 'salt-sticky_layer')], { configDelegate: 'sticky_layer_exp_a', ret: { title: 'default' }, salt: '' }),
      rule('experimentAssignment', [C.bucket('any', range(500, 1000), 'salt-sticky_layer')], { configDelegate: 'sticky_layer_exp_b', ret: { title: 'default' }, salt: '' }),
    ];
  const layers = [layer('sticky_layer', layerRules, { defaultValue: { title: 'default' } })];
  return document({
    gates, configs, layers, layerMembers: { sticky_layer: ['sticky_layer_exp_a', 'sticky_layer_exp_b'] },
  });
}

// Document versions used by the scenarios (name -> options).
const VERSIONS = {
  base: {},
  alloc_zero: { alloc: 0 },
  split_all_test: { split: 0 },
  targeting_us: { targeting: ['US'] },
  targeting_ca: { targeting: ['CA'] },
  inactive: { active: false },
  override: { override: null }, // filled with the chosen user below
  company: { idType: 'companyID' },
  company_alloc_zero: { idType: 'companyID', alloc: 0 },
  layer_a_inactive: { layerExpAActive: false },
  layer_all_to_b: { layerAllToB: true },
  layer_targeting_us: { layerTargeting: ['US'] },
  layer_targeting_ca: { layerTargeting: ['CA'] },
};

class Storage {
  constructor() {
    this.data = {};
    this.calls = [];
    this.adapter = {
      load: (key) => {
        this.calls.push({ op: 'load', key });
        return this.data[key] ? JSON.parse(JSON.stringify(this.data[key])) : null;
      },
      save: (key, configName, value) => {
        this.calls.push({ op: 'save', key, config: configName });
        if (!this.data[key]) this.data[key] = {};
        this.data[key][configName] = JSON.parse(JSON.stringify(value));
      },
      delete: (key, configName) => {
        this.calls.push({ op: 'delete', key, config: configName });
        if (this.data[key]) {
          delete this.data[key][configName];
          if (Object.keys(this.data[key]).length === 0) delete this.data[key];
        }
      },
    };
  }

  snapshot() {
    const out = {};
    for (const [k, configs] of Object.entries(this.data)) {
      out[k] = {};
      for (const [name, v] of Object.entries(configs)) {
        const copy = { ...v };
        delete copy.time;
        out[k][name] = sortKeys(copy);
      }
    }
    return sortKeys(out);
  }
}

// Storage key Server Core uses: "<unit id>:<id type>".
function storageKey(user, idType) {
  const id = idType.toLowerCase() === 'userid' ? user.userID : (user.customIDs || {})[idType];
  return `${id == null ? '' : id}:${idType}`;
}

async function waitForStorage(storage) {
  // save/delete reach JS asynchronously; wait until the call log stops growing
  let last = -1;
  for (let i = 0; i < 50 && storage.calls.length !== last; i++) {
    last = storage.calls.length;
    await sleep(25);
  }
}

function resultFields(kind, raw) {
  const e = {};
  e.value = sortKeys(raw.value == null ? {} : raw.value);
  e.rule_id = raw.ruleID == null ? '' : raw.ruleID;
  e.group_name = raw.groupName == null ? null : raw.groupName;
  e.id_type = raw.idType == null ? '' : raw.idType;
  if (raw.secondaryExposures !== undefined) e.secondary_exposures = nodecore.exposures(raw.secondaryExposures);
  if (kind === 'layer') e.allocated_experiment_name = raw.allocatedExperimentName == null ? null : raw.allocatedExperimentName;
  if (raw.isExperimentActive !== undefined) e.is_experiment_active = raw.isExperimentActive;
  if (raw.details && raw.details.reason !== undefined) e.reason = raw.details.reason;
  return e;
}

async function runStep(storage, docs, step) {
  const v2Doc = docs[step.dcs].v2;
  const h = await nodecore.open({ v2Doc, persistentStorage: storage.adapter });
  try {
    const user = nodecore.makeUser(step.user);
    const idType = step.id_type || 'userID';
    const key = storageKey(step.user, idType);
    const opts = { disableExposureLogging: true };
    if (step.persisted === 'stored') opts.userPersistedValues = storage.data[key] ? JSON.parse(JSON.stringify(storage.data[key])) : {};
    if (step.enforce_targeting) opts.enforceTargeting = true;
    if (step.enforce_overrides) opts.enforceOverrides = true;
    storage.calls = [];
    const raw = step.kind === 'layer'
      ? h.statsig.__INTERNAL_getLayer(user, step.name, opts)
      : h.statsig.__INTERNAL_getExperiment(user, step.name, opts);
    await waitForStorage(storage);
    return {
      dcs: `fixtures/${docs[step.dcs].file}.v2.json`,
      call: {
        kind: step.kind,
        name: step.name,
        user: step.user,
        id_type: idType,
        persisted: step.persisted,
        enforce_targeting: !!step.enforce_targeting,
        enforce_overrides: !!step.enforce_overrides,
      },
      persisted_values_passed: opts.userPersistedValues === undefined ? null : sortKeys(stripTime(opts.userPersistedValues)),
      expected: resultFields(step.kind, raw),
      storage_calls: storage.calls.filter((c) => c.op !== 'load'),
      stored_after: storage.snapshot(),
    };
  } finally {
    await h.close();
  }
}

function stripTime(values) {
  const out = {};
  for (const [k, v] of Object.entries(values)) {
    const c = { ...v };
    delete c.time;
    out[k] = c;
  }
  return out;
}

// Evaluate without storage to choose users with a given assignment (deterministic).
async function pickUser(docs, dcs, kind, name, predicate, makeUser) {
  const h = await nodecore.open({ v2Doc: docs[dcs].v2 });
  try {
    for (let i = 0; i < 500; i++) {
      const u = makeUser(i);
      const su = nodecore.makeUser(u);
      const raw = kind === 'layer'
        ? h.statsig.__INTERNAL_getLayer(su, name, { disableExposureLogging: true })
        : h.statsig.__INTERNAL_getExperiment(su, name, { disableExposureLogging: true });
      if (predicate(raw)) return u;
    }
  } finally {
    await h.close();
  }
  throw new Error(`no user found for ${dcs}/${name}`);
}

async function generateAll({ root }) {
  // users chosen on the base document
  const baseDocs = { base: { v2: toV2(stickyDoc(VERSIONS.base)) } };
  const uControl = await pickUser(baseDocs, 'base', 'experiment', 'sticky_exp',
    (r) => r.groupName === 'Control', (i) => ({ userID: `sticky_user_${i}`, country: 'US' }));
  const uTest = await pickUser(baseDocs, 'base', 'experiment', 'sticky_exp',
    (r) => r.groupName === 'Test', (i) => ({ userID: `sticky_user_${i}`, country: 'US' }));
  const uLayerA = await pickUser(baseDocs, 'base', 'layer', 'sticky_layer',
    (r) => r.allocatedExperimentName === 'sticky_layer_exp_a', (i) => ({ userID: `sticky_layer_user_${i}`, country: 'US' }));
  const uCompany = { userID: 'sticky_company_member', customIDs: { companyID: 'acme' } };

  VERSIONS.override = { override: uControl.userID };
  const docs = {};
  for (const [name, o] of Object.entries(VERSIONS)) {
    const v1 = stickyDoc(o);
    const file = `sticky_${name}`;
    docs[name] = { file, v1, v2: toV2(v1) };
    writeJson(path.join(root, 'fixtures', `${file}.v1.json`), v1);
    writeJson(path.join(root, 'fixtures', `${file}.v2.json`), docs[name].v2);
  }

  const E = (dcs, user, persisted, extra = {}) => ({ dcs, kind: 'experiment', name: 'sticky_exp', user, persisted, ...extra });
  const L = (dcs, user, persisted, extra = {}) => ({ dcs, kind: 'layer', name: 'sticky_layer', user, persisted, ...extra });
  const uControlCA = { ...uControl, country: 'CA' };
  const uLayerACA = { ...uLayerA, country: 'CA' };

  const scenarios = {
    allocation_shrunk: {
      description: 'Allocation goes from 100% to 0%: the stored assignment keeps the user in their group until values are passed as null.',
      steps: [E('base', uControl, 'stored'), E('alloc_zero', uControl, 'stored'), E('alloc_zero', uControl, null), E('alloc_zero', uControl, 'stored')],
    },
    not_allocated_then_allocated: {
      description: 'A user outside the allocation is not stored; once allocated the assignment is saved.',
      steps: [E('alloc_zero', uControl, 'stored'), E('base', uControl, 'stored'), E('alloc_zero', uControl, 'stored')],
    },
    group_split_changed: {
      description: 'Group split changes from 50/50 to 0/100: stored Control stays Control; an unstored user gets the new split.',
      steps: [E('base', uControl, 'stored'), E('split_all_test', uControl, 'stored'), E('split_all_test', uTest, 'stored'), E('split_all_test', uControl, null), E('split_all_test', uControl, 'stored')],
    },
    targeting_tightened: {
      description: 'Targeting moves from US to CA: sticky without enforce_targeting, re-evaluated with it.',
      steps: [
        E('targeting_us', uControl, 'stored'),
        E('targeting_ca', uControl, 'stored'),
        E('targeting_ca', uControl, 'stored', { enforce_targeting: true }),
        E('targeting_ca', uControlCA, 'stored', { enforce_targeting: true }),
        E('targeting_ca', uControl, 'stored'),
      ],
    },
    experiment_inactive: {
      description: 'The experiment is made inactive: the stored value is dropped and deleted; reactivating saves again.',
      steps: [E('base', uControl, 'stored'), E('inactive', uControl, 'stored'), E('inactive', uControl, 'stored'), E('base', uControl, 'stored')],
    },
    null_values: {
      description: 'Passing persisted values as null evaluates normally and deletes the stored assignment (experiment and layer).',
      steps: [E('base', uTest, 'stored'), E('base', uTest, null), E('base', uTest, 'stored'), L('base', uLayerA, 'stored'), L('base', uLayerA, null), L('base', uLayerA, 'stored')],
    },
    enforce_targeting_without_targeting_rules: {
      description: 'enforce_targeting on an experiment that has no targeting rules: the stored value is kept.',
      steps: [E('base', uControl, 'stored'), E('base', uControl, 'stored', { enforce_targeting: true })],
    },
    enforce_overrides: {
      description: 'An override rule is added for a stored Control user: ignored unless enforce_overrides.',
      steps: [
        E('base', uControl, 'stored'),
        E('override', uControl, 'stored'),
        E('override', uControl, 'stored', { enforce_overrides: true }),
        E('override', uControl, 'stored', { enforce_overrides: true, enforce_targeting: true }),
        E('override', uControl, null),
      ],
    },
    layer_delegate_deactivated: {
      description: 'Layer assignment sticks while the allocated experiment stays active (even if the layer now delegates elsewhere) and is dropped when it is deactivated.',
      steps: [L('base', uLayerA, 'stored'), L('layer_all_to_b', uLayerA, 'stored'), L('layer_a_inactive', uLayerA, 'stored'), L('layer_a_inactive', uLayerA, 'stored'), L('base', uLayerA, 'stored')],
    },
    layer_targeting_tightened: {
      description: 'Targeting of the allocated layer experiment changes from US to CA, with and without enforce_targeting.',
      steps: [
        L('layer_targeting_us', uLayerA, 'stored'),
        L('layer_targeting_ca', uLayerA, 'stored'),
        L('layer_targeting_ca', uLayerA, 'stored', { enforce_targeting: true }),
        L('layer_targeting_ca', uLayerACA, 'stored', { enforce_targeting: true }),
      ],
    },
    custom_id_type: {
      description: 'Experiment on companyID: the storage key is "<companyID>:companyID".',
      steps: [
        E('company', uCompany, 'stored', { id_type: 'companyID' }),
        E('company_alloc_zero', uCompany, 'stored', { id_type: 'companyID' }),
        E('company_alloc_zero', uCompany, null, { id_type: 'companyID' }),
      ],
    },
  };

  const summary = {};
  for (const [name, sc] of Object.entries(scenarios)) {
    const storage = new Storage();
    const steps = [];
    for (const st of sc.steps) steps.push(await runStep(storage, docs, st));
    writeJson(path.join(root, 'goldens', `sticky_${name}.json`), {
      sdk: nodecore.SDK_NAME,
      sdk_version: nodecore.SDK_VERSION,
      description: sc.description,
      steps,
    });
    summary[`sticky_${name}.json`] = { steps: steps.length };
    console.log(`sticky_${name}: ${steps.length} steps`);
  }
  return summary;
}

module.exports = { generateAll, stickyDoc, storageKey };
