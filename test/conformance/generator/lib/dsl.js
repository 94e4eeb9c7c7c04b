'use strict';
// Small helpers to write v1 download_config_specs documents by hand.
// Every object is built with a fixed key order so the emitted JSON (and the
// v2 condition hashes derived from it) are stable from run to run.

// A v1 condition. `field` is omitted entirely when `field === undefined`
// (Statsig omits it on unit_id conditions); pass null to emit "field": null.
function cond(type, operator, targetValue, field, opts = {}) {
  const c = { type };
  c.targetValue = targetValue === undefined ? null : targetValue;
  c.operator = operator === undefined ? null : operator;
  if (field !== undefined) c.field = field;
  c.additionalValues = opts.additionalValues === undefined ? {} : opts.additionalValues;
  c.isDeviceBased = false;
  c.idType = opts.idType || 'userID';
  return c;
}

const C = {
  public: () => cond('public', null, null, null),
  passGate: (gate, idType) => cond('pass_gate', null, gate, null, { idType }),
  failGate: (gate, idType) => cond('fail_gate', null, gate, null, { idType }),
  multiPass: (gates) => cond('multi_pass_gate', null, gates, null),
  multiFail: (gates) => cond('multi_fail_gate', null, gates, null),
  user: (field, op, target) => cond('user_field', op, target, field),
  env: (field, op, target) => cond('environment_field', op, target, field),
  time: (op, target) => cond('current_time', op, target, null),
  bucket: (op, target, salt, idType) =>
    cond('user_bucket', op, target, null, { additionalValues: { salt }, idType }),
  unit: (op, target, idType) => cond('unit_id', op, target, undefined, { idType }),
  app: (op, target) => cond('target_app', op, target, null),
  raw: cond,
};

// A v1 rule.
function rule(id, conditions, o = {}) {
  const r = { name: o.name || id };
  if (o.groupName !== undefined) r.groupName = o.groupName;
  r.passPercentage = o.pass === undefined ? 100 : o.pass;
  r.conditions = conditions;
  r.returnValue = o.ret === undefined ? true : o.ret;
  r.id = id;
  r.salt = o.salt === undefined ? id : o.salt;
  r.isDeviceBased = false;
  r.idType = o.idType || 'userID';
  if (o.configDelegate !== undefined) r.configDelegate = o.configDelegate;
  if (o.isExperimentGroup !== undefined) r.isExperimentGroup = o.isExperimentGroup;
  return r;
}

function spec(name, type, entity, rules, o = {}) {
  const s = {
    name,
    type,
    salt: o.salt || `salt-${name}`,
    enabled: o.enabled === undefined ? true : o.enabled,
    defaultValue: o.defaultValue,
    rules,
    isDeviceBased: false,
    idType: o.idType || 'userID',
    ...(o.useNewLayerEval !== undefined ? { useNewLayerEval: o.useNewLayerEval } : {}),
    entity,
  };
  s.version = o.version === undefined ? 1 : o.version;
  if (o.isActive !== undefined) s.isActive = o.isActive;
  if (o.hasSharedParams !== undefined) s.hasSharedParams = o.hasSharedParams;
  if (o.explicitParameters !== undefined) s.explicitParameters = o.explicitParameters;
  if (o.targetAppIDs !== undefined) s.targetAppIDs = o.targetAppIDs;
  return s;
}

const gate = (name, rules, o = {}) =>
  spec(name, 'feature_gate', o.entity || 'feature_gate', rules, {
    ...o,
    defaultValue: o.defaultValue === undefined ? false : o.defaultValue,
  });
const segment = (name, rules, o = {}) => gate(name, rules, { ...o, entity: 'segment' });
const holdout = (name, rules, o = {}) => gate(name, rules, { ...o, entity: 'holdout' });
const dynamicConfig = (name, rules, o = {}) =>
  spec(name, 'dynamic_config', 'dynamic_config', rules, {
    ...o,
    defaultValue: o.defaultValue === undefined ? {} : o.defaultValue,
  });
const experiment = (name, rules, o = {}) =>
  spec(name, 'dynamic_config', o.entity || 'experiment', rules, {
    ...o,
    defaultValue: o.defaultValue === undefined ? {} : o.defaultValue,
    isActive: o.isActive === undefined ? true : o.isActive,
    hasSharedParams: o.hasSharedParams === undefined ? false : o.hasSharedParams,
  });
const layer = (name, rules, o = {}) =>
  spec(name, 'dynamic_config', 'layer', rules, {
    ...o,
    defaultValue: o.defaultValue === undefined ? {} : o.defaultValue,
  });

// Bucket ranges [lo, hi) as an explicit array of ints (what the console emits for
// layer allocation with "any"/"none" user_bucket conditions).
function range(lo, hi) {
  const out = [];
  for (let i = lo; i < hi; i++) out.push(i);
  return out;
}

// Assemble a v1 document.
function document({ gates = [], configs = [], layers = [], layerMembers = {}, idLists = {}, time, extra = {} }) {
  const doc = {
    dynamic_configs: configs,
    feature_gates: gates,
    layer_configs: layers,
    layers: layerMembers,
    has_updates: true,
    time: time || 1700000000000,
    company_id: 'conformance_company',
    id_lists: Object.fromEntries(Object.keys(idLists).map((k) => [k, true])),
    diagnostics: {},
    sdk_flags: {},
    sdk_configs: {},
  };
  Object.assign(doc, extra);
  return doc;
}

module.exports = {
  cond, C, rule, spec, gate, segment, holdout, dynamicConfig, experiment, layer, range, document,
};
