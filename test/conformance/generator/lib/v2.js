'use strict';
// Derive a "dcs-v2" document from a v1 download_config_specs document, following the shape
// Statsig's servers emit (see README: "v1 -> v2 derivation").

// 32-bit djb2 as Statsig uses it, rendered as an unsigned decimal string.
function djb2(str) {
  let h = 0;
  for (let i = 0; i < str.length; i++) {
    h = ((h << 5) - h + str.charCodeAt(i)) | 0;
  }
  return String(h >>> 0);
}

function bucketSet(arr) {
  const out = {};
  for (const v of arr) out[String(v)] = true;
  return out;
}

function convertCondition(c) {
  const out = { type: c.type };
  let tv = c.targetValue;
  if (c.type === 'user_bucket' && (c.operator === 'any' || c.operator === 'none') && Array.isArray(tv)) {
    tv = bucketSet(tv);
  }
  out.targetValue = tv;
  out.operator = c.operator;
  if (Object.prototype.hasOwnProperty.call(c, 'field')) out.field = c.field;
  out.additionalValues = c.additionalValues;
  out.idType = c.idType;
  return out;
}

function convertSpec(s, conditionMap) {
  const out = {
    type: s.type,
    salt: s.salt,
    enabled: s.enabled,
    defaultValue: s.defaultValue,
    rules: [],
    idType: s.idType,
    entity: s.entity,
  };
  if (s.enabled) {
    for (const r of s.rules) {
      const nr = {};
      for (const [k, v] of Object.entries(r)) {
        if (k === 'isDeviceBased') continue;
        if (k === 'conditions') {
          nr.conditions = v.map((c) => {
            const cc = convertCondition(c);
            const key = djb2(JSON.stringify(cc));
            const prev = conditionMap[key];
            if (prev && JSON.stringify(prev) !== JSON.stringify(cc)) {
              throw new Error(`condition hash collision on ${key}`);
            }
            conditionMap[key] = cc;
            return key;
          });
        } else {
          nr[k] = v;
        }
      }
      out.rules.push(nr);
    }
  }
  for (const k of ['version', 'isActive', 'hasSharedParams', 'explicitParameters', 'targetAppIDs', 'useNewLayerEval']) {
    if (Object.prototype.hasOwnProperty.call(s, k)) out[k] = s[k];
  }
  return out;
}

function toV2(v1) {
  const conditionMap = {};
  const section = (list) => {
    const out = {};
    for (const s of list) out[s.name] = convertSpec(s, conditionMap);
    return out;
  };
  const experimentToLayer = {};
  for (const [layerName, exps] of Object.entries(v1.layers || {})) {
    for (const e of exps) experimentToLayer[e] = layerName;
  }
  const doc = {
    dynamic_configs: section(v1.dynamic_configs),
    feature_gates: section(v1.feature_gates),
    layer_configs: section(v1.layer_configs),
    experiment_to_layer: experimentToLayer,
    condition_map: conditionMap,
    has_updates: true,
    time: v1.time,
    company_id: v1.company_id,
    response_format: 'dcs-v2',
  };
  for (const k of ['id_lists', 'app_id', 'default_environment', 'sdk_keys_to_app_ids',
    'hashed_sdk_keys_to_app_ids', 'diagnostics', 'sdk_configs']) {
    if (v1[k] !== undefined) doc[k] = v1[k];
  }
  return doc;
}

module.exports = { toV2, djb2 };
