'use strict';
// Runs @statsig/statsig-node-core (Server Core) fully offline over a v2 document.
const { Statsig, StatsigUser } = require('@statsig/statsig-node-core');
const { startIdListServer } = require('./idlists');

const SDK_NAME = '@statsig/statsig-node-core';
const SDK_VERSION = require('@statsig/statsig-node-core/package.json').version;

// The document is handed over through a DataStore: Server Core asks for the key
// "statsig|/v2/download_config_specs|plain_text|<sha256 of the sdk key>" and expects
// {result: <JSON string>, time: <ms>}.
function makeDataStore(v2Doc, seenKeys) {
  const text = JSON.stringify(v2Doc);
  return {
    initialize: async () => {},
    shutdown: async () => {},
    get: async (key) => {
      seenKeys.push(key);
      if (key.includes('/download_config_specs')) return { result: text, time: v2Doc.time };
      return {};
    },
    set: async () => {},
    supportPollingUpdatesFor: async () => false,
  };
}

async function open({ v2Doc, idLists, tier, persistentStorage }) {
  const seenKeys = [];
  let idServer = null;
  const options = {
    dataStore: makeDataStore(v2Doc, seenKeys),
    outputLogLevel: 'none',
    disableAllLogging: true,
    disableCountryLookup: true,
    specsSyncIntervalMs: 3600 * 1000,
  };
  if (idLists) {
    // ID lists can only come over HTTP: serve them from loopback. Network must be enabled
    // for that, so every other URL is pointed at the same loopback server too.
    idServer = await startIdListServer(idLists);
    options.enableIdLists = true;
    options.idListsUrl = `${idServer.base}/v1/get_id_lists`;
    options.specsUrl = `${idServer.base}/v2/download_config_specs`;
    options.logEventUrl = `${idServer.base}/v1/log_event`;
    options.idListsSyncIntervalMs = 3600 * 1000;
  } else {
    options.disableNetwork = true;
  }
  if (tier) options.environment = tier;
  if (persistentStorage) options.persistentStorage = persistentStorage;
  const statsig = new Statsig('secret-conformance-key', options);
  const res = await statsig.initialize();
  if (!res.isSuccess) throw new Error(`node-core init failed: ${JSON.stringify(res)}`);
  return {
    statsig,
    seenKeys,
    idServer,
    close: async () => {
      await statsig.shutdown();
      if (idServer) await idServer.close();
    },
  };
}

function makeUser(u) {
  return new StatsigUser(JSON.parse(JSON.stringify(u)));
}

const exposures = (list) =>
  (list || []).map((e) => ({ gate: e.gate, gateValue: e.gateValue, ruleID: e.ruleID !== undefined ? e.ruleID : e.ruleId }));

function cirIndex(statsig, user) {
  const cir = JSON.parse(statsig.getClientInitializeResponse(user, { hashAlgorithm: 'none' }));
  const byName = (section) => {
    const out = {};
    for (const [k, v] of Object.entries(cir[section] || {})) out[v.name || k] = v;
    return out;
  };
  return { gates: byName('feature_gates'), configs: byName('dynamic_configs'), layers: byName('layer_configs') };
}

// Evaluate one spec; returns {expected, raw}.
function evaluate(statsig, user, cir, kind, name, evalOptions) {
  const opts = { disableExposureLogging: true, ...(evalOptions || {}) };
  let raw;
  if (kind === 'gate') raw = statsig.__INTERNAL_getFeatureGate(user, name, opts);
  else if (kind === 'config') raw = statsig.__INTERNAL_getDynamicConfig(user, name, opts);
  else if (kind === 'experiment') raw = statsig.__INTERNAL_getExperiment(user, name, opts);
  else raw = statsig.__INTERNAL_getLayer(user, name, opts);

  const e = {};
  // normalised the way the package's public FeatureGate/DynamicConfig/Experiment/Layer
  // wrappers do it (value ?? {}, ruleID ?? '', idType ?? '', groupName ?? null)
  e.value = kind === 'gate' ? raw.value === true : (raw.value == null ? {} : raw.value);
  e.rule_id = raw.ruleID == null ? '' : raw.ruleID;
  if (kind !== 'gate') e.group_name = raw.groupName == null ? null : raw.groupName;
  else if (raw.groupName !== undefined) e.group_name = raw.groupName;
  e.id_type = raw.idType == null ? '' : raw.idType;
  const c = cir ? (kind === 'gate' ? cir.gates[name] : kind === 'layer' ? cir.layers[name] : cir.configs[name]) : undefined;
  if (kind === 'experiment' || kind === 'layer') {
    if (c && c.is_user_in_experiment !== undefined) e.is_experiment_group = c.is_user_in_experiment;
    if (raw.isExperimentActive !== undefined) e.is_experiment_active = raw.isExperimentActive;
  }
  if (raw.secondaryExposures !== undefined) e.secondary_exposures = exposures(raw.secondaryExposures);
  else if (c && c.secondary_exposures !== undefined) e.secondary_exposures = exposures(c.secondary_exposures);
  if (kind === 'layer') {
    e.allocated_experiment_name = raw.allocatedExperimentName === undefined ? null : raw.allocatedExperimentName;
    if (c) {
      if (c.undelegated_secondary_exposures !== undefined) e.undelegated_secondary_exposures = exposures(c.undelegated_secondary_exposures);
      if (c.explicit_parameters !== undefined) e.explicit_parameters = c.explicit_parameters;
    }
  }
  if (raw.details && raw.details.reason !== undefined) e.reason = raw.details.reason;
  return { expected: e, raw, cir: c };
}

module.exports = { SDK_NAME, SDK_VERSION, open, makeUser, cirIndex, evaluate, exposures };
