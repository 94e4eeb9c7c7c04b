'use strict';
// Runs the legacy statsig-node SDK offline (localMode) over a v1 document.
const { StatsigServer, DataAdapterKeyPath } = require('statsig-node');
const { StatsigContext } = require('statsig-node/dist/utils/StatsigContext');
const { listFile } = require('./idlists');

const SDK_NAME = 'statsig-node';
const SDK_VERSION = require('statsig-node/package.json').version;

// statsig-node's data adapter is how both the v1 document and the ID lists get in while
// localMode keeps it off the network: it asks for "statsig|/v1/download_config_specs|..."
// (the document as a JSON string), "statsig|/v1/get_id_lists|..." (the list names) and
// "statsig|id_list::<name>|..." (the list file, "+<hash>" lines).
function makeDataAdapter(v1Doc, idLists, seenKeys) {
  const text = JSON.stringify(v1Doc);
  return {
    initialize: async () => {},
    shutdown: async () => {},
    get: async (key) => {
      seenKeys.push(key);
      if (key.includes(DataAdapterKeyPath.V1Rulesets)) return { result: text, time: v1Doc.time };
      if (key.includes(DataAdapterKeyPath.V1IDLists)) {
        return { result: JSON.stringify(Object.keys(idLists || {})), time: v1Doc.time };
      }
      const m = key.match(/\|id_list::(.*?)\|/);
      if (m && idLists && idLists[m[1]]) return { result: listFile(idLists[m[1]]), time: v1Doc.time };
      return { result: null };
    },
    set: async () => {},
    supportsPollingUpdatesFor: () => false,
  };
}

const quietLogger = { debug() {}, info() {}, warn() {}, error() {}, logLevel: 'none' };

async function open({ v1Doc, idLists, tier, persistentStorage }) {
  const seenKeys = [];
  const options = {
    localMode: true,
    dataAdapter: makeDataAdapter(v1Doc, idLists, seenKeys),
    logger: quietLogger,
    disableDiagnostics: true,
    disableAllLogging: true,
    disableRulesetsSync: true,
    disableIdListsSync: true,
    rulesetsSyncIntervalMs: 3600 * 1000,
    idListsSyncIntervalMs: 3600 * 1000,
  };
  if (tier) options.environment = { tier };
  if (persistentStorage) options.userPersistentStorage = persistentStorage;
  const server = new StatsigServer('secret-conformance-key', options);
  await server.initializeAsync();
  return { server, seenKeys, close: async () => server.shutdownAsync() };
}

const exposures = (list) => (list || []).map((e) => ({ gate: e.gate, gateValue: e.gateValue, ruleID: e.ruleID }));

// Evaluate one spec through the SDK's own evaluation path (the same call its public
// getFeatureGate/getConfig/getExperiment/getLayer make) to keep every field of the result.
function evaluate(server, userObj, kind, name, extra) {
  const user = JSON.parse(JSON.stringify(userObj)); // the SDK writes statsigEnvironment into it
  const ctx = StatsigContext.new({ caller: 'conformance', configName: name, ...(extra || {}) });
  let ev;
  if (kind === 'gate') ev = server.evalGate(user, name, ctx).evaluation;
  else if (kind === 'layer') ev = server.evalLayer(user, name, ctx).evaluation;
  else ev = server.evalConfig(user, name, ctx).evaluation;

  const e = {};
  e.value = kind === 'gate' ? ev.value === true : ev.json_value;
  e.rule_id = ev.rule_id;
  if (kind !== 'gate') e.group_name = ev.group_name === undefined ? null : ev.group_name;
  else if (ev.group_name != null) e.group_name = ev.group_name;
  e.id_type = ev.id_type;
  if (kind === 'experiment' || kind === 'layer') e.is_experiment_group = ev.is_experiment_group === true;
  e.secondary_exposures = exposures(ev.secondary_exposures);
  if (kind === 'layer') {
    e.allocated_experiment_name = ev.config_delegate || null;
    e.undelegated_secondary_exposures = exposures(ev.undelegated_secondary_exposures);
    e.explicit_parameters = ev.explicit_parameters || [];
  }
  if (ev.evaluation_details && ev.evaluation_details.reason !== undefined) e.reason = ev.evaluation_details.reason;
  if (ev.unsupported) e.unsupported = true;
  return { expected: e, raw: ev };
}

module.exports = { SDK_NAME, SDK_VERSION, open, evaluate, exposures };
