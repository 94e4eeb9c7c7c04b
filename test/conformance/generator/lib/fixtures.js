'use strict';
// Hand-written v1 fixtures. Each entry: { name, doc (v1), idLists, users, population, tiers }.
// `users` are hand-picked edge cases; `population(rng, i)` makes the seeded random ones.
// Time targets are all before 2000-01-01 or after 2100-01-01 so answers never change.

const { C, cond, rule, gate, segment, holdout, dynamicConfig, experiment, layer, range, document } =
  require('./dsl');

const Y2000_MS = 946684800000; // 2000-01-01T00:00:00Z
const Y2000_S = 946684800;
const Y2100_MS = 4102444800000; // 2100-01-01T00:00:00Z

const pick = (rng, arr) => arr[Math.floor(rng() * arr.length)];

// --------------------------------------------------------------------------------------------
// 1. numeric comparisons and strict equality, with value coercion edge cases
// --------------------------------------------------------------------------------------------
const NUM_VALUES = [
  10, 11, 9, 0, -1.5, 10.5, 10.49, 1000, 1e21, 9007199254740993, 0.1, -0,
  '10', '11', '9', '10.0', ' 10', '10 ', '1e3', '0x10', '', 'abc', '-1.5', '+10', '.5', '5.',
  '1_000', 'NaN', 'Infinity', 'inf', '-inf', '10abc', '00010',
  true, false, null, [10], ['10'], [], { a: 1 },
];

function numericFixture() {
  const g = (name, field, op, target) => gate(name, [rule(`${name}_rule`, [C.user(field, op, target)])]);
  const gates = [
    g('num_gt_10', 'num', 'gt', 10),
    g('num_gte_10', 'num', 'gte', 10),
    g('num_lt_10', 'num', 'lt', 10),
    g('num_lte_10', 'num', 'lte', 10),
    g('num_gt_str_10', 'num', 'gt', '10'),
    g('num_lte_str_1e3', 'num', 'lte', '1e3'),
    g('num_lt_10_5', 'num', 'lt', 10.5),
    g('num_gte_neg_1_5', 'num', 'gte', -1.5),
    g('num_gt_target_abc', 'num', 'gt', 'abc'),
    g('num_gt_target_null', 'num', 'gt', null),
    g('num_lt_target_bool', 'num', 'lt', true),
    g('num_gte_target_hex', 'num', 'gte', '0x0a'),
    g('num_eq_10', 'num', 'eq', 10),
    g('num_eq_str_10', 'num', 'eq', '10'),
    g('num_eq_10_0', 'num', 'eq', 10.0),
    g('num_neq_10', 'num', 'neq', 10),
    g('num_eq_null', 'num', 'eq', null),
    g('num_neq_null', 'num', 'neq', null),
    g('num_eq_true', 'num', 'eq', true),
    g('num_eq_str_true', 'num', 'eq', 'true'),
    g('num_eq_array', 'num', 'eq', [10]),
    g('num_eq_empty', 'num', 'eq', ''),
    g('flag_eq_true', 'flag', 'eq', true),
    g('flag_eq_str_true', 'flag', 'eq', 'true'),
    g('flag_neq_false', 'flag', 'neq', false),
    g('field_case_Num_gt_10', 'Num', 'gt', 10),
    g('field_case_NUMUP_gt_10', 'NUMUP', 'gt', 10),
    g('userid_gt_100', 'userID', 'gt', 100),
    g('userid_eq_123', 'userID', 'eq', 123),
    g('private_gt_5', 'secret', 'gt', 5),
    g('num_missing_field_lt', 'no_such_field', 'lt', 10),
    g('num_missing_field_neq', 'no_such_field', 'neq', 10),
    // two conditions in one rule: AND
    gate('num_between_5_and_20', [
      rule('num_between_rule', [C.user('num', 'gte', 5), C.user('num', 'lte', 20)]),
    ]),
  ];
  const users = [];
  NUM_VALUES.forEach((v, i) => {
    users.push({ userID: `num_user_${i}`, custom: { num: v } });
  });
  users.push({ userID: 'no_custom' });
  users.push({ userID: 'flag_t', custom: { flag: true, NumUp: 50, numup: 50 } });
  users.push({ userID: 'flag_f', custom: { flag: false, NUMUP: 50 } });
  users.push({ userID: 'flag_s', custom: { flag: 'true' } });
  users.push({ userID: 'flag_S', custom: { flag: 'TRUE' } });
  users.push({ userID: 'case_lower', custom: { num: 50 } });
  users.push({ userID: 'case_upper', custom: { Num: 50 } });
  users.push({ userID: '150' });
  users.push({ userID: '123' });
  users.push({ userID: '123.0' });
  users.push({ userID: '99' });
  users.push({ userID: 'priv', privateAttributes: { secret: 7 } });
  users.push({ userID: 'priv_str', privateAttributes: { secret: '7' }, custom: { secret: 1 } });
  users.push({ userID: 'top_vs_custom', custom: { userID: '500' } });
  return {
    name: 'numeric_compare',
    doc: document({ gates }),
    idLists: null,
    users,
    population: (rng, i) => ({
      userID: String(Math.floor(rng() * 300)),
      custom: { num: pick(rng, NUM_VALUES), flag: pick(rng, [true, false, 'true', 'false', 1, 0, null]) },
    }),
    populationSize: 30,
  };
}

// --------------------------------------------------------------------------------------------
// 2. version comparisons
// --------------------------------------------------------------------------------------------
const VERSIONS = [
  '1.2.3', '1.2.3-beta', '1.2.3-beta.1', '1.2', '1.2.0', '1.2.3.0', '1.2.3.1', '1.2.4', '1.10.0',
  '1.9.9', 'v1.2.3', '1.2.3+build', ' 1.2.3', '1.2.3 ', '01.02.03', '1..3', '1.2.x', '', '2', '0.0.0',
  '1.2.3-', '-1.2.3', '1.2.-3', '1e2.0', '0x1.2.3', '1.2.3.4.5', '10', '1', '1.02.3', '1.2.3_1',
];

function versionFixture() {
  const ops = ['version_gt', 'version_gte', 'version_lt', 'version_lte', 'version_eq', 'version_neq'];
  const gates = [];
  for (const op of ops) {
    gates.push(gate(`app_${op}_1_2_3`, [rule(`app_${op}`, [C.user('appVersion', op, '1.2.3')])]));
  }
  const extra = [
    ['app_version_eq_1_2', 'appVersion', 'version_eq', '1.2'],
    ['app_version_gt_1_2_beta', 'appVersion', 'version_gt', '1.2-beta'],
    ['app_version_eq_target_beta', 'appVersion', 'version_eq', '1.2.3-rc.1'],
    ['app_version_gte_v_target', 'appVersion', 'version_gte', 'v1.0'],
    ['app_version_lt_1_10', 'appVersion', 'version_lt', '1.10'],
    ['app_version_gt_number_target', 'appVersion', 'version_gt', 1.2],
    ['app_version_neq_empty_target', 'appVersion', 'version_neq', ''],
    ['app_version_any_list', 'appVersion', 'any', ['1.2.3', '1.2']],
    ['custom_ver_gte_1_2', 'ver', 'version_gte', '1.2'],
    ['custom_ver_eq_2', 'ver', 'version_eq', '2'],
    ['custom_ver_lt_3', 'ver', 'version_lt', '3'],
    ['field_case_appversion_gt', 'appversion', 'version_gt', '1.0.0'],
    ['field_case_AppVersion_gt', 'AppVersion', 'version_gt', '1.0.0'],
  ];
  for (const [name, field, op, t] of extra) gates.push(gate(name, [rule(`${name}_r`, [C.user(field, op, t)])]));
  const users = VERSIONS.map((v, i) => ({ userID: `ver_user_${i}`, appVersion: v }));
  users.push({ userID: 'ver_missing' });
  const customVers = [1.2, 2, 3, 1, 0.5, true, '1.2', '2.0.0', null, [1, 2]];
  customVers.forEach((v, i) => users.push({ userID: `custom_ver_${i}`, custom: { ver: v } }));
  users.push({ userID: 'custom_appversion', custom: { appVersion: '5.0.0' } });
  users.push({ userID: 'custom_and_top_appversion', appVersion: '0.1.0', custom: { appVersion: '5.0.0' } });
  return {
    name: 'version_compare',
    doc: document({ gates }),
    idLists: null,
    users,
    population: (rng) => ({
      userID: `vp_${Math.floor(rng() * 1e6)}`,
      appVersion: `${Math.floor(rng() * 3)}.${Math.floor(rng() * 12)}.${Math.floor(rng() * 5)}${pick(rng, ['', '', '-beta', '.0', '.1'])}`,
      custom: { ver: pick(rng, ['1.2', '2', '3.0.1', 2, 1.5]) },
    }),
    populationSize: 30,
  };
}

// --------------------------------------------------------------------------------------------
// 3. string / list operators
// --------------------------------------------------------------------------------------------
function stringFixture() {
  const g = (name, field, op, target) => gate(name, [rule(`${name}_r`, [C.user(field, op, target)])]);
  const gates = [
    g('country_any', 'country', 'any', ['US', 'ca']),
    g('country_none', 'country', 'none', ['US', 'ca']),
    g('country_any_cs', 'country', 'any_case_sensitive', ['US', 'ca']),
    g('country_none_cs', 'country', 'none_case_sensitive', ['US', 'ca']),
    g('country_any_empty_target', 'country', 'any', []),
    g('country_none_empty_target', 'country', 'none', []),
    g('country_any_string_target', 'country', 'any', 'US'),
    g('country_any_null_target', 'country', 'any', null),
    g('n_any_mixed_targets', 'n', 'any', [10, '11', 12.5, true]),
    g('n_none_mixed_targets', 'n', 'none', [10, '11', 12.5, true]),
    g('n_any_cs_numbers', 'n', 'any_case_sensitive', [10, 12.5]),
    g('flag_any_str_true', 'flag', 'any', ['true']),
    g('flag_any_bool_true', 'flag', 'any', [true]),
    g('tags_any_a', 'tags', 'any', ['a']),
    g('tags_any_joined', 'tags', 'any', ['a,b', '["a","b"]']),
    g('email_starts_with', 'email', 'str_starts_with_any', ['admin', 'Test']),
    g('email_ends_with', 'email', 'str_ends_with_any', ['@statsig.com', '@EXAMPLE.org']),
    g('email_contains_any', 'email', 'str_contains_any', ['statsig', '+']),
    g('email_contains_none', 'email', 'str_contains_none', ['statsig', '+']),
    g('email_contains_any_empty_str', 'email', 'str_contains_any', ['']),
    g('email_contains_none_empty_target', 'email', 'str_contains_none', []),
    g('n_starts_with_1', 'n', 'str_starts_with_any', ['1']),
    g('n_contains_dot', 'n', 'str_contains_any', ['.']),
    g('email_regex', 'email', 'str_matches', '^[a-z0-9.]+@example\\.(com|org)$'),
    g('email_regex_unanchored', 'email', 'str_matches', 'stat'),
    g('email_regex_inline_flag', 'email', 'str_matches', '(?i)^admin'),
    g('email_regex_invalid', 'email', 'str_matches', '(['),
    g('email_regex_lookahead', 'email', 'str_matches', '^(?!admin).*@example\\.com$'),
    g('email_regex_array_target', 'email', 'str_matches', ['stat']),
    g('n_regex_digits', 'n', 'str_matches', '^1\\d$'),
    g('flag_regex_true', 'flag', 'str_matches', '^true$'),
    g('missing_regex_any', 'no_such_field', 'str_matches', '.*'),
    g('email_eq', 'email', 'eq', 'a@b.com'),
    g('email_neq', 'email', 'neq', 'a@b.com'),
    g('field_case_Email_any', 'Email', 'any', ['a@b.com']),
    g('field_case_EMAIL_contains', 'EMAIL', 'str_contains_any', ['@']),
    g('locale_any', 'locale', 'any', ['en_US', 'en-US']),
    g('ip_contains', 'ip', 'str_contains_any', ['10.0.']),
    g('userid_any_numbers', 'userID', 'any', [123, '456']),
    g('userid_any_cs', 'userID', 'any_case_sensitive', ['Alice']),
    g('userid_none_cs', 'userID', 'none_case_sensitive', ['Alice']),
    g('user_agent_contains', 'userAgent', 'str_contains_any', ['Mozilla']),
    g('plan_none_missing', 'plan', 'none', ['pro']),
    g('plan_none_cs_missing', 'plan', 'none_case_sensitive', ['pro']),
    g('plan_contains_none_missing', 'plan', 'str_contains_none', ['pro']),
    g('plan_any_unicode', 'plan', 'any', ['ÉLITE', 'straße']),
    g('plan_any_cs_unicode', 'plan', 'any_case_sensitive', ['élite']),
  ];
  const users = [
    { userID: 'Alice', email: 'a@b.com', country: 'US', locale: 'en_US' },
    { userID: 'alice', email: 'A@B.COM', country: 'us', locale: 'en-US' },
    { userID: 'bob', email: 'admin@example.com', country: 'CA' },
    { userID: 'carol', email: 'test.user@example.org', country: 'ca' },
    { userID: 'dave', email: 'Admin@statsig.com', country: 'GB' },
    { userID: 'erin', email: 'someone+tag@EXAMPLE.ORG', country: ' US' },
    { userID: 'frank', email: 'frank@statsig.com.au', country: '' },
    { userID: 'grace', email: '', country: 'U' },
    { userID: 'heidi' },
    { userID: '123', custom: { n: 10 } },
    { userID: '456', custom: { n: '10' } },
    { userID: 'n_11', custom: { n: 11 } },
    { userID: 'n_11s', custom: { n: '11' } },
    { userID: 'n_12_5', custom: { n: 12.5 } },
    { userID: 'n_12_50s', custom: { n: '12.50' } },
    { userID: 'n_10_0', custom: { n: 10.0 } },
    { userID: 'n_10_0s', custom: { n: '10.0' } },
    { userID: 'n_true', custom: { n: true } },
    { userID: 'n_trues', custom: { n: 'True' } },
    { userID: 'n_15', custom: { n: 15 } },
    { userID: 'n_1e1', custom: { n: '1e1' } },
    { userID: 'n_null', custom: { n: null } },
    { userID: 'flag_true', custom: { flag: true } },
    { userID: 'flag_TRUE', custom: { flag: 'TRUE' } },
    { userID: 'flag_false', custom: { flag: false } },
    { userID: 'tags_ab', custom: { tags: ['a', 'b'] } },
    { userID: 'tags_a', custom: { tags: ['a'] } },
    { userID: 'tags_str', custom: { tags: 'a' } },
    { userID: 'custom_email', custom: { email: 'a@b.com' } },
    { userID: 'custom_Email', custom: { Email: 'a@b.com' } },
    { userID: 'custom_email_and_top', email: 'x@y.com', custom: { email: 'a@b.com' } },
    { userID: 'private_country', privateAttributes: { country: 'US' } },
    { userID: 'custom_country', custom: { country: 'CA' } },
    { userID: 'ip_user', ip: '10.0.0.1' },
    { userID: 'ip_user2', ip: '192.168.10.0.1' },
    { userID: 'ua_user', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
    { userID: 'plan_pro', custom: { plan: 'pro' } },
    { userID: 'plan_Pro', custom: { plan: 'Pro' } },
    { userID: 'plan_elite', custom: { plan: 'élite' } },
    { userID: 'plan_ELITE', custom: { plan: 'ÉLITE' } },
    { userID: 'plan_strasse', custom: { plan: 'STRASSE' } },
    { userID: 'plan_strasse2', custom: { plan: 'STRAßE' } },
    { userID: 'plan_num', custom: { plan: 5 } },
  ];
  const countries = ['US', 'us', 'CA', 'ca', 'GB', 'DE', 'Us', '', 'USA'];
  const domains = ['example.com', 'example.org', 'EXAMPLE.ORG', 'statsig.com', 'gmail.com', 'Statsig.IO'];
  return {
    name: 'string_ops',
    doc: document({ gates }),
    idLists: null,
    users,
    population: (rng) => {
      const u = {
        userID: `sp_${Math.floor(rng() * 1e6)}`,
        email: `${pick(rng, ['admin', 'test', 'Test', 'user', 'a.b', 'x+y'])}@${pick(rng, domains)}`,
        country: pick(rng, countries),
        locale: pick(rng, ['en_US', 'en-US', 'fr_FR', 'EN_us']),
        custom: { n: pick(rng, [10, 11, '11', 12.5, 13, '10', 'x']), plan: pick(rng, ['pro', 'free', 'PRO']) },
      };
      return u;
    },
    populationSize: 30,
  };
}

// --------------------------------------------------------------------------------------------
// 4. time operators and current_time
// --------------------------------------------------------------------------------------------
const TS_VALUES = [
  Y2000_MS - 1, Y2000_MS, Y2000_MS + 1, Y2000_S - 1, Y2000_S, Y2000_S + 1, Y2000_MS + 86399999,
  Y2000_MS + 86400000, Y2000_MS - 86400000, String(Y2000_MS - 1), String(Y2000_S + 1),
  '1999-12-31T23:59:59Z', '2000-01-01T00:00:00Z', '2000-01-01T00:00:00.000Z', '2000-01-01T12:00:00+05:00',
  '2000-01-01T03:00:00+05:00', '1999-12-31 23:59:59', '2000-01-01 00:00:01', '2000-01-01', '1999-12-31',
  'Sat Jan 01 2000', 'abc', '', 0, -1, 9999999999, 10000000000, true, null, 1e13, Y2100_MS,
  Y2000_MS + 0.5, '946684800000.0', ' 946684800000',
];

function timeFixture() {
  const g = (name, op, target, field = 'ts') => gate(name, [rule(`${name}_r`, [C.user(field, op, target)])]);
  const gates = [
    g('ts_before_2000_ms', 'before', Y2000_MS),
    g('ts_after_2000_ms', 'after', Y2000_MS),
    g('ts_on_2000_ms', 'on', Y2000_MS),
    g('ts_before_2000_iso', 'before', '2000-01-01T00:00:00Z'),
    g('ts_after_2000_seconds', 'after', Y2000_S),
    g('ts_on_2000_string_ms', 'on', String(Y2000_MS)),
    g('ts_on_2000_date_string', 'on', '2000-01-01'),
    g('ts_after_target_abc', 'after', 'abc'),
    g('ts_gt_2000_ms', 'gt', Y2000_MS),
    g('ts_eq_2000_ms', 'eq', Y2000_MS),
    g('ts_field_case_TS_before', 'before', Y2100_MS, 'TS'),
    gate('now_after_2000', [rule('now_after_2000_r', [C.time('after', Y2000_MS)])]),
    gate('now_before_2000', [rule('now_before_2000_r', [C.time('before', Y2000_MS)])]),
    gate('now_before_2100', [rule('now_before_2100_r', [C.time('before', Y2100_MS)])]),
    gate('now_after_2100', [rule('now_after_2100_r', [C.time('after', Y2100_MS)])]),
    gate('now_on_2000', [rule('now_on_2000_r', [C.time('on', Y2000_MS)])]),
    gate('now_after_2000_iso', [rule('now_after_2000_iso_r', [C.time('after', '2000-01-01T00:00:00Z')])]),
    gate('now_after_2000_seconds', [rule('now_after_2000_s_r', [C.time('after', Y2000_S)])]),
    gate('now_before_2100_string', [rule('now_before_2100_str_r', [C.time('before', String(Y2100_MS))])]),
    gate('now_gt_2000', [rule('now_gt_2000_r', [C.time('gt', Y2000_MS)])]),
    gate('now_lt_2100', [rule('now_lt_2100_r', [C.time('lt', Y2100_MS)])]),
    gate('now_after_null', [rule('now_after_null_r', [C.time('after', null)])]),
    // a config whose rule depends on time and a user field together
    dynamicConfig('time_window_config', [
      rule('window_rule', [C.time('after', Y2000_MS), C.user('ts', 'before', Y2100_MS)], { ret: { window: 'open' } }),
    ], { defaultValue: { window: 'closed' } }),
  ];
  const users = TS_VALUES.map((v, i) => ({ userID: `ts_user_${i}`, custom: { ts: v } }));
  users.push({ userID: 'ts_missing' });
  users.push({ userID: 'ts_upper', custom: { TS: Y2000_MS } });
  const cfgs = gates.filter((s) => s.entity === 'dynamic_config');
  return {
    name: 'time_ops',
    doc: document({ gates: gates.filter((s) => s.type === 'feature_gate'), configs: cfgs }),
    idLists: null,
    users,
    population: (rng) => ({
      userID: `tp_${Math.floor(rng() * 1e6)}`,
      custom: {
        ts: pick(rng, [
          Y2000_MS + Math.floor((rng() - 0.5) * 4 * 86400000),
          Y2000_S + Math.floor((rng() - 0.5) * 4 * 86400),
          new Date(Y2000_MS + Math.floor((rng() - 0.5) * 4 * 86400000)).toISOString(),
        ]),
      },
    }),
    populationSize: 30,
  };
}

// --------------------------------------------------------------------------------------------
// 5. array operators
// --------------------------------------------------------------------------------------------
const ARR_VALUES = [
  ['a', 'b'], ['a', 'c', 'd'], ['A'], ['c'], [1, 2, 3], ['1', '2'], [1], [2], [], 'a', 'a,b', null,
  [true], [1.0], [1.5], [['a']], [{ a: 1 }], 1, [null], [1, 'a'], ['a', 'c'], ['b', 'c'], '["a","b"]',
  { 0: 'a' }, ['01'], [' 1'], ['true'],
];

function arrayFixture() {
  const ops = ['array_contains_any', 'array_contains_none', 'array_contains_all', 'not_array_contains_all'];
  const targets = [
    ['ac', ['a', 'c']],
    ['num_1_2', [1, 2]],
    ['str_1', ['1']],
    ['empty', []],
    ['true', [true]],
    ['scalar_a', 'a'],
  ];
  const gates = [];
  for (const op of ops) {
    for (const [tn, t] of targets) {
      const name = `arr_${op}_${tn}`;
      gates.push(gate(name, [rule(`${name}_r`, [C.user('arr', op, t)])]));
    }
  }
  gates.push(gate('arr_any_on_array_field', [rule('arr_any_on_array_field_r', [C.user('arr', 'any', ['a'])])]));
  gates.push(gate('arr_contains_any_userid', [rule('arr_contains_any_userid_r', [C.user('userID', 'array_contains_any', ['x'])])]));
  const users = ARR_VALUES.map((v, i) => ({ userID: `arr_user_${i}`, custom: { arr: v } }));
  users.push({ userID: 'arr_missing' });
  users.push({ userID: 'arr_private', privateAttributes: { arr: ['a', 'c'] } });
  return {
    name: 'array_ops',
    doc: document({ gates }),
    idLists: null,
    users,
    population: (rng) => {
      const pool = ['a', 'b', 'c', 'd', 1, 2, 3, '1', '2', true];
      const n = Math.floor(rng() * 4);
      const arr = [];
      for (let i = 0; i < n; i++) arr.push(pick(rng, pool));
      return { userID: `ap_${Math.floor(rng() * 1e6)}`, custom: { arr } };
    },
    populationSize: 30,
  };
}

// --------------------------------------------------------------------------------------------
// 6. gate structure: nesting, segments, holdouts, id lists, buckets, pass percentages, id types
// --------------------------------------------------------------------------------------------
function gatesFixture() {
  const gates = [
    gate('public_gate', [rule('public_rule', [C.public()])]),
    gate('public_gate_return_false', [rule('public_false_rule', [C.public()], { ret: false })]),
    gate('default_true_gate', [rule('never_rule', [C.user('email', 'any', ['nobody@nowhere'])])], { defaultValue: true }),
    gate('email_statsig', [rule('email_statsig_rule', [C.user('email', 'str_ends_with_any', ['@statsig.com'])])]),
    gate('country_us', [rule('country_us_rule', [C.user('country', 'any', ['US'])])]),
    gate('nested_pass', [rule('nested_pass_rule', [C.passGate('email_statsig')])]),
    gate('nested_fail', [rule('nested_fail_rule', [C.failGate('email_statsig')])]),
    gate('nested_two_levels', [
      rule('ntl_rule', [C.passGate('nested_pass'), C.passGate('country_us')]),
    ]),
    gate('nested_or', [
      rule('nor_rule_1', [C.passGate('email_statsig')]),
      rule('nor_rule_2', [C.passGate('country_us')]),
      rule('nor_rule_3', [C.failGate('public_gate')]),
    ]),
    gate('nested_same_gate_twice', [
      rule('nsg_rule', [C.passGate('email_statsig'), C.failGate('country_us'), C.passGate('email_statsig')]),
    ]),
    gate('nested_missing_gate', [rule('nmg_rule', [C.passGate('gate_that_does_not_exist')])]),
    gate('nested_fail_missing_gate', [rule('nfmg_rule', [C.failGate('gate_that_does_not_exist')])]),
    gate('multi_pass', [rule('multi_pass_rule', [C.multiPass(['email_statsig', 'country_us'])])]),
    gate('multi_fail', [rule('multi_fail_rule', [C.multiFail(['email_statsig', 'country_us'])])]),
    gate('nested_unsupported', [rule('nu_rule', [C.passGate('unknown_operator_gate')])]),
    // segments
    segment('segment:beta_users', [
      rule('beta_rule', [C.user('email', 'str_contains_any', ['beta'])]),
      rule('beta_rule_2', [C.unit('any', ['seg_user_1', 'seg_user_2'])]),
    ]),
    segment('segment:id_list_companies', [
      rule('id_list', [C.unit('in_segment_list', 'company_id_list', 'companyID')], { idType: 'companyID' }),
    ], { idType: 'companyID' }),
    segment('segment:id_list_users', [rule('id_list', [C.unit('in_segment_list', 'user_id_list')])]),
    gate('gate_beta_segment', [rule('gbs_rule', [C.passGate('segment:beta_users')])]),
    gate('gate_not_beta_segment', [rule('gnbs_rule', [C.failGate('segment:beta_users')])]),
    gate('gate_company_list', [rule('gcl_rule', [C.passGate('segment:id_list_companies', 'companyID')], { idType: 'companyID' })], { idType: 'companyID' }),
    gate('gate_user_list_direct', [rule('guld_rule', [C.unit('in_segment_list', 'user_id_list')])]),
    gate('gate_not_in_user_list', [rule('gnul_rule', [C.unit('not_in_segment_list', 'user_id_list')])]),
    gate('gate_email_in_list', [rule('geil_rule', [C.user('email', 'in_segment_list', 'user_id_list')])]),
    gate('gate_in_missing_list', [rule('giml_rule', [C.unit('in_segment_list', 'no_such_list')])]),
    gate('gate_not_in_missing_list', [rule('gniml_rule', [C.unit('not_in_segment_list', 'no_such_list')])]),
    gate('gate_stable_in_list', [rule('gsil_rule', [C.unit('in_segment_list', 'stable_id_list', 'stableID')], { idType: 'stableID' })], { idType: 'stableID' }),
    // holdouts
    holdout('holdout_10pct', [rule('holdout_10pct_rule:10.00:1', [C.public()], { pass: 10 })]),
    holdout('holdout_by_segment', [rule('hbs_rule', [C.passGate('segment:beta_users')], { pass: 100 })]),
    gate('gate_with_holdout', [
      rule('holdout_10pct_rule', [C.passGate('holdout_10pct')], { pass: 0, salt: '' }),
      rule('gwh_main', [C.public()], { pass: 50 }),
    ]),
    gate('gate_with_two_holdouts', [
      rule('hbs_ref', [C.passGate('holdout_by_segment')], { pass: 0, salt: '' }),
      rule('h10_ref', [C.passGate('holdout_10pct')], { pass: 0, salt: '' }),
      rule('gwth_main', [C.public()]),
    ]),
    // pass percentages
    gate('pct_0', [rule('pct_0_rule', [C.public()], { pass: 0 })]),
    gate('pct_50', [rule('pct_50_rule', [C.public()], { pass: 50 })]),
    gate('pct_100', [rule('pct_100_rule', [C.public()], { pass: 100 })]),
    gate('pct_33_3', [rule('pct_33_3_rule', [C.public()], { pass: 33.3 })]),
    gate('pct_0_01', [rule('pct_0_01_rule', [C.public()], { pass: 0.01 })]),
    gate('pct_99_99', [rule('pct_99_99_rule', [C.public()], { pass: 99.99 })]),
    gate('pct_50_empty_salt', [rule('pct_50_es_rule', [C.public()], { pass: 50, salt: '' })]),
    gate('pct_50_no_rule_salt', [(() => { const r = rule('pct_50_nrs_rule', [C.public()], { pass: 50 }); delete r.salt; return r; })()]),
    gate('pct_50_default_true', [rule('pct_50_dt_rule', [C.public()], { pass: 50 })], { defaultValue: true }),
    gate('pct_50_then_public', [
      rule('p50_first', [C.public()], { pass: 50 }),
      rule('p50_second', [C.public()]),
    ]),
    // id types
    gate('pct_50_stable', [rule('pct_50_stable_rule', [C.public()], { pass: 50, idType: 'stableID' })], { idType: 'stableID' }),
    gate('pct_50_company', [rule('pct_50_company_rule', [C.public()], { pass: 50, idType: 'companyID' })], { idType: 'companyID' }),
    gate('pct_50_rule_idtype_differs', [rule('pct_50_rid_rule', [C.public()], { pass: 50, idType: 'companyID' })]),
    gate('pct_50_idtype_lowercase', [rule('pct_50_lc_rule', [C.public()], { pass: 50, idType: 'companyid' })], { idType: 'companyid' }),
    gate('pct_50_idtype_USERID', [rule('pct_50_uc_rule', [C.public()], { pass: 50, idType: 'USERID' })], { idType: 'USERID' }),
    // user_bucket
    gate('bucket_lt_500', [rule('bucket_lt_500_rule', [C.bucket('lt', 500, 'bucket_salt_a')])]),
    gate('bucket_gte_500', [rule('bucket_gte_500_rule', [C.bucket('gte', 500, 'bucket_salt_a')])]),
    gate('bucket_any_set', [rule('bucket_any_rule', [C.bucket('any', range(0, 250).concat(range(600, 700)), 'bucket_salt_b')])]),
    gate('bucket_none_set', [rule('bucket_none_rule', [C.bucket('none', range(0, 250).concat(range(600, 700)), 'bucket_salt_b')])]),
    gate('bucket_any_company', [rule('bucket_any_company_rule', [C.bucket('any', range(0, 500), 'bucket_salt_c', 'companyID')], { idType: 'companyID' })], { idType: 'companyID' }),
    gate('bucket_lt_no_salt', [rule('bucket_lt_ns_rule', [cond('user_bucket', 'lt', 500, null, { additionalValues: {} })])]),
    gate('bucket_eq_number', [rule('bucket_eq_rule', [C.bucket('eq', 42, 'bucket_salt_a')])]),
    // unit_id
    gate('unit_any', [rule('unit_any_rule', [C.unit('any', ['u1', 'U2', '3'])])]),
    gate('unit_any_cs', [rule('unit_any_cs_rule', [C.unit('any_case_sensitive', ['u1', 'U2'])])]),
    gate('unit_company_any', [rule('unit_company_rule', [C.unit('any', ['acme', 'ACME2'], 'companyID')], { idType: 'companyID' })], { idType: 'companyID' }),
    gate('unit_company_lowercase_key', [rule('unit_company_lc_rule', [C.unit('any', ['acme'], 'companyid')])]),
    gate('unit_gt', [rule('unit_gt_rule', [C.unit('gt', 100)])]),
    gate('unit_stable_regex', [rule('unit_stable_regex_rule', [C.unit('str_matches', '^device-[0-9]+$', 'stableID')], { idType: 'stableID' })], { idType: 'stableID' }),
    gate('unit_none_missing', [rule('unit_none_missing_rule', [C.unit('none', ['x'], 'orgID')])]),
    // target_app
    gate('target_app_any', [rule('target_app_rule', [C.app('any', ['app_conformance'])])]),
    gate('target_app_none', [rule('target_app_none_rule', [C.app('none', ['app_conformance'])])]),
    gate('target_app_other', [rule('target_app_other_rule', [C.app('any', ['other_app'])])]),
    // disabled / unsupported
    gate('disabled_gate', [rule('disabled_gate_rule', [C.public()])], { enabled: false }),
    gate('disabled_gate_default_true', [rule('dgdt_rule', [C.public()])], { enabled: false, defaultValue: true }),
    gate('disabled_no_rules', [], { enabled: false }),
    gate('no_rules_gate', []),
    gate('unknown_condition_gate', [
      rule('ucg_rule_public_first', [C.user('email', 'any', ['x@x.x'])]),
      rule('ucg_rule', [cond('fancy_new_condition', 'any', ['x'], 'email')]),
      rule('ucg_after', [C.public()]),
    ]),
    gate('unknown_operator_gate', [
      rule('uog_rule', [C.user('email', 'fancy_new_operator', ['x'])]),
      rule('uog_after', [C.public()]),
    ]),
    gate('null_operator_gate', [rule('nog_rule', [C.user('email', null, ['x'])]), rule('nog_after', [C.public()])]),
    gate('custom_field_type_gate', [rule('cft_rule', [cond('custom_field', 'any', ['gold'], 'tier')]), rule('cft_after', [C.public()])]),
    gate('uppercase_operator_gate', [rule('uop_rule', [C.user('country', 'ANY', ['US'])])]),
    gate('uppercase_condition_type_gate', [rule('uct_rule', [cond('USER_FIELD', 'any', ['US'], 'country')])]),
    gate('encoded_any_gate', [rule('eag_rule', [C.user('country', 'encoded_any', ['VVM='])]), rule('eag_after', [C.public()])]),
    gate('unsupported_after_pass', [
      rule('uap_public', [C.public()]),
      rule('uap_unknown', [cond('fancy_new_condition', 'any', ['x'], 'email')]),
    ]),
    gate('unsupported_in_second_condition', [
      rule('uisc_rule', [C.user('country', 'any', ['NOPE']), cond('fancy_new_condition', 'any', ['x'], 'email')]),
      rule('uisc_after', [C.public()]),
    ]),
  ];
  const idLists = {
    company_id_list: ['acme', 'globex', 'initech', '12345'],
    user_id_list: ['user_in_list_1', 'user_in_list_2', 'a@list.com', '42'],
    stable_id_list: ['device-1', 'device-2'],
  };
  const users = [
    { userID: 'user_in_list_1', email: 'joe@statsig.com', country: 'US', customIDs: { companyID: 'acme', stableID: 'device-1' } },
    { userID: 'user_in_list_2', email: 'beta.tester@example.com', country: 'CA', customIDs: { companyID: 'ACME' } },
    { userID: 'not_in_list', email: 'a@list.com', country: 'US', customIDs: { companyid: 'globex' } },
    { userID: '42', customIDs: { CompanyID: 'initech' } },
    { userID: 'seg_user_1', email: 'x@statsig.com' },
    { userID: 'seg_user_2', country: 'US' },
    { userID: 'u1', customIDs: { stableID: 'device-99' } },
    { userID: 'U1' },
    { userID: 'u2' },
    { userID: 'U2' },
    { userID: '3' },
    { userID: '150' },
    { userID: '99' },
    { userID: '' },
    { userID: 'only_company', customIDs: { companyID: '12345' } },
    { customIDs: { companyID: 'acme' } },
    { customIDs: { stableID: 'device-2' } },
    { customIDs: { companyID: 'ACME2', orgID: 'x' } },
    { userID: 'org_x', customIDs: { orgID: 'x' } },
    { userID: 'org_y', customIDs: { orgID: 'y' } },
    { userID: 'tier_gold', custom: { tier: 'gold' } },
  ];
  return {
    name: 'gates_structure',
    doc: document({ gates, idLists, extra: { app_id: 'app_conformance' } }),
    idLists,
    users,
    population: (rng, i) => {
      const u = { userID: `gp_${i}_${Math.floor(rng() * 1e9)}` };
      if (rng() < 0.4) u.email = `${pick(rng, ['beta', 'alpha', 'joe'])}${i}@${pick(rng, ['statsig.com', 'example.com'])}`;
      if (rng() < 0.5) u.country = pick(rng, ['US', 'CA', 'us', 'GB']);
      const ids = {};
      if (rng() < 0.6) ids.companyID = pick(rng, ['acme', 'globex', 'umbrella', `c${Math.floor(rng() * 1000)}`]);
      if (rng() < 0.5) ids.stableID = pick(rng, ['device-1', 'device-2', `device-${Math.floor(rng() * 1e6)}`]);
      if (Object.keys(ids).length) u.customIDs = ids;
      return u;
    },
    populationSize: 45,
  };
}

// --------------------------------------------------------------------------------------------
// 7. experiments, dynamic configs and layers
// --------------------------------------------------------------------------------------------
function experimentsFixture() {
  const gates = [
    gate('targeting_statsig', [rule('targeting_statsig_rule', [C.user('email', 'str_ends_with_any', ['@statsig.com'])])]),
    gate('targeting_us', [rule('targeting_us_rule', [C.user('country', 'any', ['US'])])]),
    holdout('exp_holdout', [rule('exp_holdout_rule:20.00:1', [C.public()], { pass: 20 })]),
    holdout('layer_holdout', [rule('layer_holdout_rule:15.00:1', [C.public()], { pass: 15 })]),
    segment('segment:inline_targeting_exp_inline', [
      rule('inline_r1', [C.user('country', 'any', ['CA', 'GB'])]),
    ]),
  ];
  const expRules = (name, salt, groups, o = {}) => {
    // groups: [{id, name, size(0-1000 upper bound), value}]
    const rules = [];
    let lo = 0;
    for (const grp of groups) {
      rules.push(rule(grp.id, [C.bucket('lt', grp.upto, salt, o.idType)], {
        groupName: grp.name, ret: grp.value, salt: grp.id, isExperimentGroup: true, idType: o.idType, pass: grp.pass,
      }));
      lo = grp.upto;
    }
    return rules;
  };
  const configs = [];

  // plain experiment: allocation 60%, two groups
  configs.push(experiment('exp_basic', [
    rule('layerAssignment', [C.bucket('none', range(0, 1000).filter((b) => b % 5 === 0), 'salt-exp_basic')], { salt: '', ret: { color: 'grey' } }),
    ...expRules('exp_basic', 'salt-exp_basic', [
      { id: 'exp_basic_control', name: 'Control', upto: 500, value: { color: 'blue', size: 1 } },
      { id: 'exp_basic_test', name: 'Test', upto: 1000, value: { color: 'green', size: 2 } },
    ]),
  ], { defaultValue: { color: 'grey' } }));

  // experiment with overrides, holdout, targeting gate, and partial allocation
  configs.push(experiment('exp_targeted', [
    rule('exp_targeted_ctrl:userID:id_override', [C.user('userID', 'any', ['force_control'])], { groupName: 'Control', ret: { variant: 'control' }, salt: '' }),
    rule('exp_targeted_test:companyID:id_override', [C.unit('any', ['force_test_co'], 'companyID')], { groupName: 'Test', ret: { variant: 'test' }, salt: '', idType: 'companyID' }),
    rule('exp_targeted_segment_override', [C.passGate('segment:inline_targeting_exp_inline')], { groupName: 'Test', ret: { variant: 'test' }, salt: '' }),
    rule('exp_holdout_rule', [C.passGate('exp_holdout')], { pass: 0, salt: '', ret: { variant: 'default' } }),
    rule('layerAssignment', [C.bucket('lt', 700, 'salt-exp_targeted')], { pass: 100, salt: '', ret: { variant: 'default' } }),
    rule('targetingGate', [C.failGate('targeting_statsig')], { pass: 100, salt: '', ret: { variant: 'default' } }),
    ...expRules('exp_targeted', 'salt-exp_targeted', [
      { id: 'exp_targeted_control', name: 'Control', upto: 333, value: { variant: 'control' } },
      { id: 'exp_targeted_test', name: 'Test', upto: 666, value: { variant: 'test' } },
      { id: 'exp_targeted_test2', name: 'Test 2', upto: 1000, value: { variant: 'test2' } },
    ]),
  ], { defaultValue: { variant: 'default' } }));

  // inline targeting rules (encoded as an "inlineTargetingRules" rule failing a segment)
  configs.push(experiment('exp_inline_targeting', [
    rule('inlineTargetingRules', [C.failGate('segment:inline_targeting_exp_inline')], { ret: { n: 0 }, salt: '' }),
    ...expRules('exp_inline_targeting', 'salt-exp_inline_targeting', [
      { id: 'eit_control', name: 'Control', upto: 500, value: { n: 1 } },
      { id: 'eit_test', name: 'Test', upto: 1000, value: { n: 2 } },
    ]),
  ], { defaultValue: { n: 0 } }));

  // experiment not active (finished / not started)
  configs.push(experiment('exp_inactive', [
    ...expRules('exp_inactive', 'salt-exp_inactive', [
      { id: 'ei_control', name: 'Control', upto: 500, value: { v: 'c' } },
      { id: 'ei_test', name: 'Test', upto: 1000, value: { v: 't' } },
    ]),
  ], { defaultValue: { v: 'default' }, isActive: false }));

  // disabled experiment
  configs.push(experiment('exp_disabled', [
    ...expRules('exp_disabled', 'salt-exp_disabled', [
      { id: 'ed_control', name: 'Control', upto: 1000, value: { v: 'c' } },
    ]),
  ], { defaultValue: { v: 'default' }, enabled: false }));

  // experiment on companyID with fractional pass percentage in a group rule
  configs.push(experiment('exp_company', [
    ...expRules('exp_company', 'salt-exp_company', [
      { id: 'ec_control', name: 'Control', upto: 500, value: { c: 1 }, pass: 100 },
      { id: 'ec_test', name: 'Test', upto: 1000, value: { c: 2 }, pass: 33.3 },
    ], { idType: 'companyID' }),
  ], { defaultValue: { c: 0 }, idType: 'companyID' }));

  // experiment with a rule returnValue false-ish and a rule group with no isExperimentGroup
  configs.push(experiment('exp_odd_returns', [
    rule('eor_null_group', [C.user('country', 'any', ['GB'])], { groupName: null, ret: {} }),
    rule('eor_false', [C.user('country', 'any', ['DE'])], { ret: false }),
    rule('eor_string', [C.user('country', 'any', ['FR'])], { ret: 'hello' }),
    rule('eor_array', [C.user('country', 'any', ['JP'])], { ret: [1, 2] }),
    rule('eor_group', [C.public()], { groupName: 'Everyone', ret: { all: true }, isExperimentGroup: true }),
  ], { defaultValue: { all: false } }));

  // dynamic configs
  configs.push(dynamicConfig('config_basic', [
    rule('cfg_statsig', [C.passGate('targeting_statsig')], { ret: { tier: 'internal', limit: 100 } }),
    rule('cfg_us_half', [C.user('country', 'any', ['US'])], { pass: 50, ret: { tier: 'us', limit: 10 } }),
  ], { defaultValue: { tier: 'default', limit: 1 } }));
  configs.push(dynamicConfig('config_disabled', [rule('cd_rule', [C.public()], { ret: { on: true } })], { defaultValue: { on: false }, enabled: false }));
  configs.push(dynamicConfig('config_nested_values', [
    rule('cnv_rule', [C.public()], { ret: { a: { b: [1, 2, { c: null }] }, d: 1.5, e: 'x', f: true, g: 12345678901234 } }),
  ], { defaultValue: {} }));
  configs.push(dynamicConfig('config_unsupported', [
    rule('cu_rule', [cond('fancy_new_condition', 'any', ['x'], 'email')], { ret: { x: 1 } }),
  ], { defaultValue: { x: 0 } }));
  configs.push(dynamicConfig('config_default_only', [], { defaultValue: { only: 'default' } }));
  configs.push(spec_autotune());

  // layered experiments
  configs.push(experiment('layer_exp_a', [
    rule('layer_exp_a_override', [C.user('userID', 'any', ['force_a_test'])], { groupName: 'Test', ret: { title: 'A-test', shade: 'dark' }, salt: '' }),
    rule('targetingGate', [C.failGate('targeting_us')], { ret: { title: 'layer default', shade: 'light' }, salt: '' }),
    ...expRules('layer_exp_a', 'salt-layer_exp_a', [
      { id: 'lea_control', name: 'Control', upto: 500, value: { title: 'A-control', shade: 'light' } },
      { id: 'lea_test', name: 'Test', upto: 1000, value: { title: 'A-test', shade: 'dark' } },
    ]),
  ], { defaultValue: { title: 'layer default', shade: 'light' }, hasSharedParams: true, explicitParameters: ['title'] }));
  configs.push(experiment('layer_exp_b', [
    ...expRules('layer_exp_b', 'salt-layer_exp_b', [
      { id: 'leb_control', name: 'Control', upto: 500, value: { title: 'B-control', count: 1 } },
      { id: 'leb_test', name: 'Test', upto: 1000, value: { title: 'B-test', count: 2 } },
    ]),
  ], { defaultValue: { title: 'layer default', count: 0 }, hasSharedParams: true, explicitParameters: ['title', 'count'] }));
  configs.push(experiment('layer_exp_inactive', [
    ...expRules('layer_exp_inactive', 'salt-layer_exp_inactive', [
      { id: 'lei_control', name: 'Control', upto: 1000, value: { title: 'I-control' } },
    ]),
  ], { defaultValue: { title: 'layer default' }, hasSharedParams: true, explicitParameters: ['title'], isActive: false }));
  configs.push(experiment('layer_exp_no_explicit', [
    ...expRules('layer_exp_no_explicit', 'salt-layer_exp_no_explicit', [
      { id: 'lene_control', name: 'Control', upto: 1000, value: { title: 'NE', other: 'x' } },
    ]),
  ], { defaultValue: { title: 'layer default' }, hasSharedParams: true }));

  const layers = [
    layer('layer_main', [
      rule('layer_exp_a_override_delegate', [C.user('userID', 'any', ['force_a_test'])], { configDelegate: 'layer_exp_a', ret: { title: 'layer default', shade: 'light', count: 0 }, salt: '' }),
      rule('layer_holdout_rule', [C.passGate('layer_holdout')], { pass: 0, salt: '', ret: { title: 'layer default', shade: 'light', count: 0 } }),
      rule('experimentAssignment', [C.bucket('any', range(0, 400), 'salt-layer_main')], { configDelegate: 'layer_exp_a', ret: { title: 'layer default', shade: 'light', count: 0 }, salt: '' }),
      rule('experimentAssignment', [C.bucket('any', range(400, 700), 'salt-layer_main')], { configDelegate: 'layer_exp_b', ret: { title: 'layer default', shade: 'light', count: 0 }, salt: '' }),
      rule('experimentAssignment', [C.bucket('any', range(700, 850), 'salt-layer_main')], { configDelegate: 'layer_exp_inactive', ret: { title: 'layer default', shade: 'light', count: 0 }, salt: '' }),
      rule('experimentAssignment', [C.bucket('any', range(850, 900), 'salt-layer_main')], { configDelegate: 'experiment_that_does_not_exist', ret: { title: 'layer default', shade: 'light', count: 0 }, salt: '' }),
    ], { defaultValue: { title: 'layer default', shade: 'light', count: 0 } }),
    layer('layer_no_exp', [], { defaultValue: { p: 'only default' } }),
    layer('layer_with_plain_rule', [
      rule('lwpr_rule', [C.user('country', 'any', ['US'])], { ret: { p: 'us value' } }),
      rule('lwpr_delegate', [C.public()], { configDelegate: 'layer_exp_no_explicit', ret: { title: 'layer default' }, salt: '' }),
    ], { defaultValue: { p: 'default', title: 'layer default' } }),
    layer('layer_disabled', [rule('ld_rule', [C.public()], { configDelegate: 'layer_exp_b', ret: {} })], { defaultValue: { z: 1 }, enabled: false }),
    // parameters merged across passing rules (useNewLayerEval)
    layer('layer_new_eval', [
      rule('lne_holdout', [C.passGate('layer_holdout')], { pass: 0, salt: '', ret: {} }),
      rule('lne_us_param', [C.user('country', 'any', ['US'])], { pass: 50, ret: { p: 'us' } }),
      rule('lne_alloc_a', [C.bucket('any', range(0, 500), 'salt-lne')], { configDelegate: 'layer_exp_a', ret: {}, salt: '' }),
      rule('lne_alloc_b', [C.bucket('any', range(300, 1000), 'salt-lne')], { configDelegate: 'layer_exp_b', ret: {}, salt: '' }),
      rule('lne_everyone', [C.public()], { ret: { q: 'all', title: 'from plain' } }),
    ], { defaultValue: { title: 'layer default', shade: 'light', count: 0, p: 'default', q: 'default' }, useNewLayerEval: true }),
  ];
  // experiment_group conditions: a gate on another experiment's group
  gates.push(gate('in_exp_basic_test', [rule('in_exp_basic_test_r',
    [C.raw('experiment_group', 'any', ['Test'], 'exp_basic')])]));
  gates.push(gate('not_targeted_control', [rule('not_targeted_control_r',
    [C.raw('experiment_group', 'none', ['Control'], 'exp_targeted')])]));
  const layerMembers = {
    layer_main: ['layer_exp_a', 'layer_exp_b', 'layer_exp_inactive'],
    layer_no_exp: [],
    layer_with_plain_rule: ['layer_exp_no_explicit'],
    layer_disabled: [],
  };
  const users = [
    { userID: 'force_control', email: 'x@statsig.com', country: 'US' },
    { userID: 'force_a_test', country: 'GB' },
    { userID: 'co_user', customIDs: { companyID: 'force_test_co' }, email: 'y@statsig.com' },
    { userID: 'ca_user', country: 'CA' },
    { userID: 'gb_user', country: 'GB' },
    { userID: 'de_user', country: 'DE' },
    { userID: 'fr_user', country: 'FR' },
    { userID: 'jp_user', country: 'JP' },
    { userID: 'statsig_user', email: 'someone@statsig.com', country: 'US' },
    { userID: 'no_fields' },
    { customIDs: { companyID: 'c-1' } },
    { userID: 'u_with_company', customIDs: { companyID: 'c-2' }, country: 'US' },
  ];
  return {
    name: 'experiments_layers',
    doc: document({ gates, configs, layers, layerMembers }),
    idLists: null,
    users,
    population: (rng, i) => {
      const u = { userID: `ep_${i}_${Math.floor(rng() * 1e9)}` };
      if (rng() < 0.5) u.country = pick(rng, ['US', 'CA', 'GB', 'DE', 'FR', 'JP', 'us']);
      if (rng() < 0.4) u.email = `p${i}@${pick(rng, ['statsig.com', 'example.com'])}`;
      if (rng() < 0.6) u.customIDs = { companyID: `co_${Math.floor(rng() * 1e6)}` };
      return u;
    },
    populationSize: 60,
  };
}

function spec_autotune() {
  return experiment('autotune_banner', [
    rule('at_a', [C.bucket('lt', 500, 'salt-autotune_banner')], { groupName: 'A', ret: { banner: 'a' }, isExperimentGroup: true }),
    rule('at_b', [C.bucket('lt', 1000, 'salt-autotune_banner')], { groupName: 'B', ret: { banner: 'b' }, isExperimentGroup: true }),
  ], { entity: 'autotune', defaultValue: { banner: 'none' } });
}

// --------------------------------------------------------------------------------------------
// 8. environment_field (evaluated with several environment tiers)
// --------------------------------------------------------------------------------------------
function environmentFixture(name, extra) {
  const g = (n, field, op, t) => gate(n, [rule(`${n}_r`, [C.env(field, op, t)])]);
  const gates = [
    g('env_tier_staging', 'tier', 'any', ['staging']),
    g('env_tier_production', 'tier', 'any', ['production']),
    g('env_tier_not_production', 'tier', 'none', ['production']),
    g('env_tier_Production_cs', 'tier', 'any_case_sensitive', ['Production']),
    g('env_tier_eq_staging', 'tier', 'eq', 'staging'),
    g('env_tier_starts_stag', 'tier', 'str_starts_with_any', ['stag']),
    g('env_TIER_upper_field', 'TIER', 'any', ['staging', 'production']),
    g('env_region_us', 'region', 'any', ['us']),
    g('env_tier_missing_none', 'tier', 'none', ['development']),
    gate('env_user_field_tier', [rule('euft_r', [C.user('tier', 'any', ['staging'])])]),
    gate('env_and_user', [rule('eau_r', [C.env('tier', 'any', ['staging']), C.user('country', 'any', ['US'])])]),
  ];
  const configs = [
    dynamicConfig('env_config', [
      rule('ec_prod', [C.env('tier', 'any', ['production'])], { ret: { url: 'prod' } }),
      rule('ec_staging', [C.env('tier', 'any', ['staging'])], { ret: { url: 'staging' } }),
    ], { defaultValue: { url: 'dev' } }),
  ];
  const users = [
    { userID: 'env_plain' },
    { userID: 'env_user_dev', statsigEnvironment: { tier: 'development' } },
    { userID: 'env_user_staging', statsigEnvironment: { tier: 'staging' } },
    { userID: 'env_user_Staging', statsigEnvironment: { tier: 'Staging' } },
    { userID: 'env_user_region', statsigEnvironment: { tier: 'production', region: 'us' } },
    { userID: 'env_user_empty', statsigEnvironment: {} },
    { userID: 'env_custom_tier', custom: { tier: 'staging' }, country: 'US' },
    { userID: 'env_us', country: 'US' },
  ];
  return {
    name,
    doc: document({ gates, configs, extra }),
    idLists: null,
    users,
    population: (rng, i) => {
      const u = { userID: `envp_${i}` };
      if (rng() < 0.4) u.country = pick(rng, ['US', 'CA']);
      if (rng() < 0.3) u.statsigEnvironment = { tier: pick(rng, ['staging', 'production', 'development']) };
      return u;
    },
    populationSize: 30,
  };
}

function all() {
  const env = environmentFixture('environment', {});
  env.tiers = [null, 'staging', 'production'];
  const envDefault = environmentFixture('environment_dcs_default', { default_environment: 'staging' });
  envDefault.tiers = [null, 'production'];
  return [
    numericFixture(),
    versionFixture(),
    stringFixture(),
    timeFixture(),
    arrayFixture(),
    gatesFixture(),
    experimentsFixture(),
    env,
    envDefault,
  ];
}

module.exports = { all };
