'use strict';
// @experiment-assign/statsig-storage: the persistent storage of
// @statsig/statsig-node-core kept in experiment_assign's ea_assignments
// table, so that a Node service and SQL (get_experiment/get_layer with
// persisted values, assign_experiment_trigger) share one sticky group per
// unit.  See README.md for the design.
const path = require('path');
const { Worker, MessageChannel, receiveMessageOnPort } = require('worker_threads');

const DEFAULTS = {
  schema: 'public',
  max: 4,
  connectionTimeoutMs: 2000,
  queryTimeoutMs: 2000,
  loadTimeoutMs: 3000,
  idleTimeoutMs: 10000,
  applicationName: 'experiment-assign-statsig-storage',
};

// An error of the storage: `code` is the PostgreSQL SQLSTATE when the
// server reported one (e.g. '22023' bad value, '42501' no privilege),
// 'ETIMEDOUT' when a synchronous load gave up, 'ERR_STORAGE_CLOSED' after
// close(), or the system error code of a failed connection
// ('ECONNREFUSED', ...).
class ExperimentAssignStorageError extends Error {
  constructor(message, fields) {
    super(message);
    this.name = 'ExperimentAssignStorageError';
    Object.assign(this, fields);
  }
}

function toError(plain, context) {
  const what = context.configName ? `"${context.key}" / "${context.configName}"` : `"${context.key}"`;
  return new ExperimentAssignStorageError(
    `experiment_assign storage: ${context.operation} of ${what} failed: ${plain.message}`, { ...plain, ...context });
}

function defaultOnError(err) {
  process.emitWarning(err.message, { type: 'ExperimentAssignStorageWarning', code: err.code, detail: err.detail });
}

// Server Core's storage key "<unit id>:<id type>" of a user (a StatsigUser of
// node-core or a plain {userID, customIDs} object): userID for the id type
// "userID" (any case), otherwise the customIDs entry (exact name, then lower
// case).  null when the user has no unit id of that type.
function storageKey(user, idType) {
  if (user == null || typeof idType !== 'string' || idType === '') return null;
  let id;
  if (idType.toLowerCase() === 'userid') {
    id = user.userID;
  } else {
    const custom = user.customIDs || {};
    id = custom[idType] !== undefined ? custom[idType] : custom[idType.toLowerCase()];
  }
  if (id == null) return null;
  return `${id}:${idType}`;
}

function checkKey(key, operation) {
  if (typeof key !== 'string') {
    throw new TypeError(`experiment_assign storage: ${operation}: the storage key must be a string, got ${typeof key}`);
  }
}

class ExperimentAssignStorage {
  // options: connectionString and/or any node-postgres connection setting
  // (host, port, user, password, database, ssl, ...); schema: the schema of
  // the extension (default "public"; null: resolve by search_path); max: pool
  // size; connectionTimeoutMs, queryTimeoutMs (client and server side),
  // loadTimeoutMs (how long a synchronous load() waits at most),
  // idleTimeoutMs; onError(err): failures of save()/delete() (default: a
  // process warning).
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('experiment_assign storage: options must be an object such as { connectionString }');
    }
    const o = { ...DEFAULTS, ...options };
    for (const k of ['max', 'connectionTimeoutMs', 'queryTimeoutMs', 'loadTimeoutMs', 'idleTimeoutMs']) {
      if (!Number.isFinite(o[k]) || o[k] <= 0) {
        throw new RangeError(`experiment_assign storage: ${k} must be a positive number, got ${o[k]}`);
      }
    }
    if (o.onError !== undefined && typeof o.onError !== 'function') {
      throw new TypeError('experiment_assign storage: onError must be a function');
    }
    const pool = {};
    for (const [k, v] of Object.entries(options)) {
      if (!(k in DEFAULTS) && k !== 'onError' && typeof v !== 'function') pool[k] = v;
    }
    Object.assign(pool, {
      max: o.max,
      connectionTimeoutMillis: o.connectionTimeoutMs,
      idleTimeoutMillis: o.idleTimeoutMs,
      query_timeout: o.queryTimeoutMs,
      statement_timeout: o.queryTimeoutMs,
      application_name: o.applicationName,
    });

    this._loadTimeoutMs = o.loadTimeoutMs;
    this._onError = o.onError || defaultOnError;
    this._nextId = 1;
    // "<key>\0<config>" -> resolver of a getExperiment/getLayer call waiting
    // for node-core's save of that config
    this._saves = new Map();
    this._pending = new Map(); // id -> {resolve, reject, context, write}
    this._closed = null;
    this._signal = new SharedArrayBuffer(4);
    this._counter = new Int32Array(this._signal);

    const requests = new MessageChannel();
    const syncReplies = new MessageChannel();
    this._port = requests.port1;
    this._syncPort = syncReplies.port1;
    this._worker = new Worker(path.join(__dirname, 'lib', 'worker.js'), {
      workerData: {
        requests: requests.port2,
        syncReplies: syncReplies.port2,
        signal: this._signal,
        pool,
        schema: o.schema,
      },
      transferList: [requests.port2, syncReplies.port2],
    });
    this._worker.on('error', (e) => this._fail(e));
    this._worker.on('exit', () => this._fail(new Error('the storage thread exited')));
    this._port.on('message', (m) => this._settle(m));
    this._idle();

    // the PersistentStorage methods are called by node-core as plain
    // functions: bind them once
    this.load = this.load.bind(this);
    this.save = this.save.bind(this);
    this.delete = this.delete.bind(this);
  }

  // ---- node-core's PersistentStorage interface ----

  // Synchronous: blocks the calling thread until the database answers (at
  // most loadTimeoutMs).  Returns {config name: StickyValues}, {} when none.
  // Throws an ExperimentAssignStorageError on failure or timeout.  Reads
  // the key's earlier save()/delete() calls.
  load(key) {
    checkKey(key, 'load');
    this._checkOpen('load', key);
    const id = this._nextId++;
    const context = { operation: 'load', key };
    this._port.postMessage({ id, op: 'load', key, sync: true });
    const deadline = Date.now() + this._loadTimeoutMs;
    for (;;) {
      const seen = Atomics.load(this._counter, 0);
      let m;
      while ((m = receiveMessageOnPort(this._syncPort)) !== undefined) {
        if (m.message.id !== id) continue; // a reply to a load that timed out
        if (m.message.ok) return m.message.value;
        throw toError(m.message.error, context);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw toError({ code: 'ETIMEDOUT', message: `no answer within ${this._loadTimeoutMs} ms` }, context);
      }
      Atomics.wait(this._counter, 0, seen, remaining);
    }
  }

  // Stores a first assignment (a value stored already is kept).  Returns at
  // once; failures go to onError.
  save(key, configName, data) {
    const p = this._write({ op: 'save', key, configName, data }, { operation: 'save', key, configName });
    const waiting = this._saves.get(`${key}\u0000${configName}`);
    if (waiting) waiting(p || Promise.resolve(null));
  }

  // Deletes the stored value of one experiment/layer.  Returns at once;
  // failures go to onError.
  delete(key, configName) {
    this._write({ op: 'delete', key, configName }, { operation: 'delete', key, configName });
  }

  // ---- the asynchronous API for the application ----

  // The values to pass as userPersistedValues: {config: StickyValues}, {}
  // when none.  Waits for the key's earlier save()/delete() calls.
  loadAsync(key) {
    try {
      checkKey(key, 'loadAsync');
    } catch (e) {
      return Promise.reject(e);
    }
    return this._request({ op: 'load', key }, { operation: 'load', key });
  }

  // The same for a user and an id type (the experiment's or layer's idType):
  // the unit id is chosen as Server Core chooses it.  {} when the user has
  // no unit id of that type.
  getUserPersistedValues(user, idType = 'userID') {
    if (user == null || typeof user !== 'object') {
      return Promise.reject(new TypeError('experiment_assign storage: getUserPersistedValues needs a user object'));
    }
    const key = storageKey(user, idType);
    if (key === null) return Promise.resolve({});
    return this.loadAsync(key);
  }

  // getExperiment/getLayer with persistent assignment, one call: loads the
  // unit's values, evaluates with node-core, waits for the save, and when
  // the save found a value stored meanwhile (another service, SQL or the
  // trigger assigned the unit first) evaluates again with the stored values,
  // so the call returns the group that is stored.  options: idType of the
  // experiment/layer (default "userID"), and node-core's evaluation options
  // (enforceTargeting, enforceOverrides, disableExposureLogging).
  async getExperiment(statsig, user, name, options = {}) {
    return this._evaluate((opts) => statsig.getExperiment(user, name, opts), user, name, options);
  }

  async getLayer(statsig, user, name, options = {}) {
    return this._evaluate((opts) => statsig.getLayer(user, name, opts), user, name, options);
  }

  async _evaluate(evaluate, user, name, options) {
    const { idType = 'userID', saveWaitMs = 100, ...evalOptions } = options;
    const key = storageKey(user, idType);
    const values = key === null ? {} : await this.loadAsync(key);
    const result = evaluate({ ...evalOptions, userPersistedValues: values });
    // node-core saves a first assignment (a group, no stored entry) from a
    // background thread shortly after returning: wait for that save
    const reason = (result.details && result.details.reason) || '';
    if (key === null || name in values || result.groupName == null || /Persisted/.test(reason)) return result;
    const mark = `${key}\u0000${name}`;
    let timer;
    const arrived = new Promise((resolve) => {
      this._saves.set(mark, resolve);
      timer = setTimeout(() => resolve(Promise.resolve(null)), saveWaitMs);
    });
    const stored = await (await arrived);
    clearTimeout(timer);
    this._saves.delete(mark);
    if (stored !== false) return result;
    // another writer stored first: return what is stored
    return evaluate({ ...evalOptions, userPersistedValues: await this.loadAsync(key) });
  }

  // Resolves when every save()/delete() made so far (including those node-core
  // delivers within graceMs) has reached the database, with the number of
  // them that failed (each went to onError).  For shutdown and tests.
  async flush(graceMs = 5) {
    let failed = 0;
    for (;;) {
      // node-core hands save/delete to JavaScript from a background thread,
      // through the event loop, usually well within a millisecond
      await new Promise((r) => setImmediate(r));
      if (graceMs > 0) await new Promise((r) => setTimeout(r, graceMs));
      const writes = [...this._pending.values()].filter((e) => e.write).map((e) => e.promise);
      if (writes.length === 0) return failed;
      failed += (await Promise.all(writes)).filter((v) => v === null).length;
    }
  }

  // Waits for pending writes, closes the pool and stops the thread.
  // Idempotent.
  close() {
    if (!this._closed) {
      this._closed = (async () => {
        await this.flush();
        this._closing = true;
        try {
          await this._request({ op: 'close' }, { operation: 'close', key: '' });
        } finally {
          this._port.close();
          this._syncPort.close();
          await this._worker.terminate();
        }
      })();
    }
    return this._closed;
  }

  // ---- internals ----

  _checkOpen(operation, key) {
    if (this._closing || this._closed || this._dead) {
      throw toError({ code: 'ERR_STORAGE_CLOSED', message: 'the storage is closed' }, { operation, key });
    }
  }

  // Sends one request to the thread.  A read resolves with its value or
  // rejects; a write (save/delete) never rejects: it resolves with what the
  // SQL function returned (save: stored or kept; delete: found or not), or
  // null after its failure went to onError (node-core ignores what
  // save/delete return and cannot take an exception).
  _request(msg, context, write = false) {
    let promise;
    try {
      if (msg.op !== 'close') this._checkOpen(context.operation, context.key);
      const id = this._nextId++;
      const entry = { context, write };
      promise = new Promise((resolve, reject) => {
        entry.resolve = resolve;
        entry.reject = reject;
      });
      this._pending.set(id, entry);
      this._busy();
      this._port.postMessage({ id, ...msg });
      if (write) {
        promise = promise.then((value) => value, (err) => this._report(err));
        entry.promise = promise;
      }
    } catch (e) {
      promise = write ? Promise.resolve(this._report(e)) : Promise.reject(e);
    }
    return promise;
  }

  _report(err) {
    try {
      this._onError(err);
    } catch (_) {
      // an onError that throws must not crash the SDK's callback
    }
    return null;
  }

  _write(msg, context) {
    if (typeof msg.key !== 'string' || typeof msg.configName !== 'string') {
      this._report(new TypeError(`experiment_assign storage: ${context.operation}: ` +
        'the storage key and the config name must be strings'));
      return null;
    }
    return this._request(msg, context, true);
  }

  _settle(m) {
    const entry = this._pending.get(m.id);
    if (!entry) return;
    this._pending.delete(m.id);
    if (m.ok) entry.resolve(m.value);
    else entry.reject(toError(m.error, entry.context));
    if (this._pending.size === 0) this._idle();
  }

  _fail(e) {
    if (this._dead) return;
    this._dead = true;
    for (const entry of this._pending.values()) {
      entry.reject(toError({ code: 'ERR_STORAGE_CLOSED', message: e.message }, entry.context));
    }
    this._pending.clear();
  }

  // The thread keeps the process alive only while requests are pending.
  _busy() {
    this._worker.ref();
    this._port.ref();
  }

  _idle() {
    this._worker.unref();
    this._port.unref();
  }
}

module.exports = { ExperimentAssignStorage, ExperimentAssignStorageError, storageKey };
