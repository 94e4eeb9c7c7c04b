'use strict';
// Figure 1, SDK side: evaluation throughput of the official SDKs, in process,
// over the same users file the SQL benchmark reads.
//
//   node eval_bench.js --sdk node-core|node-core-prebuilt|statsig-node
//        --dcs v1.json --users users.jsonl --n N --check N
//        --gate G --experiment E --layer L [--kinds gate,experiment,layer]
//        [--rounds R]
//
// One JSON line per kind on stdout:
//   {impl, kind, n, seconds, ns_per_eval, check: {answer: count}}
// "check" tallies the answers for the first --check users (gate value,
// experiment group name, layer allocated experiment) so run.sh can see
// that every implementation agrees.
//
// node-core builds a StatsigUser inside the timed loop (one per evaluation,
// like the SQL functions that read a jsonb user per call);
// node-core-prebuilt builds them before the clock starts (the SDK's best
// case: one user object reused for many evaluations).  statsig-node takes
// plain objects.  Users are parsed from JSON outside the timed sections.
// Each kind runs --rounds times (default 3) over the same users and the
// fastest round is reported, as the SQL side reports its fastest run.
const c = require('./common');

const CHUNK = 20000;

function tally(check, key) {
  const k = key === null || key === undefined ? '(none)' : String(key);
  check[k] = (check[k] || 0) + 1;
}

function makeEvaluators(impl, client) {
  const opts = { disableExposureLogging: true };
  if (impl === 'statsig-node') {
    return {
      gate: (u, name) => client.checkGateWithExposureLoggingDisabledSync(u, name),
      experiment: (u, name) => client.getExperimentWithExposureLoggingDisabledSync(u, name).getGroupName(),
      layer: (u, name) => client.getLayerWithExposureLoggingDisabledSync(u, name).getAllocatedExperimentName(),
    };
  }
  return {
    gate: (u, name) => client.checkGate(u, name, opts),
    experiment: (u, name) => client.getExperiment(u, name, opts).groupName,
    layer: (u, name) => client.getLayer(u, name, opts).allocatedExperimentName,
  };
}

async function main() {
  const a = c.parseArgs(process.argv.slice(2));
  const impl = c.need(a, 'sdk');
  const v1 = c.readV1(c.need(a, 'dcs'));
  const n = Number(c.need(a, 'n'));
  const nCheck = Number(a.check || 10000);
  const names = { gate: c.need(a, 'gate'), experiment: c.need(a, 'experiment'), layer: c.need(a, 'layer') };
  const kinds = (a.kinds || 'gate,experiment,layer').split(',');
  const rounds = Number(a.rounds || 3);

  let client;
  let StatsigUser = null;
  if (impl === 'statsig-node') client = await c.openLegacy(v1);
  else if (impl === 'node-core' || impl === 'node-core-prebuilt') {
    client = await c.openNodeCore(v1);
    StatsigUser = require('@statsig/statsig-node-core').StatsigUser;
  } else throw new Error(`unknown --sdk ${impl}`);
  const ev = makeEvaluators(impl, client);

  for (const kind of kinds) {
    const evaluate = ev[kind];
    const name = names[kind];
    let check = null;
    let seen = 0;
    let ns = 0n;
    for (let round = 0; round < rounds; round++) {
      const roundCheck = {};
      let roundSeen = 0;
      let roundNs = 0n;
      for (const chunk of c.userChunks(a.users, n, CHUNK)) {
        const answers = new Array(chunk.length);
        let t0;
        if (impl === 'node-core') {
          t0 = process.hrtime.bigint();
          for (let i = 0; i < chunk.length; i++) answers[i] = evaluate(new StatsigUser(chunk[i]), name);
        } else if (impl === 'node-core-prebuilt') {
          const users = chunk.map((u) => new StatsigUser(u));
          t0 = process.hrtime.bigint();
          for (let i = 0; i < users.length; i++) answers[i] = evaluate(users[i], name);
        } else {
          t0 = process.hrtime.bigint();
          for (let i = 0; i < chunk.length; i++) answers[i] = evaluate(chunk[i], name);
        }
        roundNs += process.hrtime.bigint() - t0;
        for (let i = 0; i < answers.length && roundSeen + i < nCheck; i++) tally(roundCheck, answers[i]);
        roundSeen += chunk.length;
      }
      if (check === null) check = roundCheck;
      else if (JSON.stringify(check) !== JSON.stringify(roundCheck)) throw new Error(`${kind}: rounds disagree`);
      if (round === 0 || roundNs < ns) ns = roundNs;
      seen = roundSeen;
    }
    const seconds = Number(ns) / 1e9;
    c.emit({ impl, kind, name, n: seen, rounds, seconds, ns_per_eval: Number(ns) / seen, check });
  }
  if (impl === 'statsig-node') await client.shutdownAsync();
  else await client.shutdown();
}

main().then(() => process.exit(0), (e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
