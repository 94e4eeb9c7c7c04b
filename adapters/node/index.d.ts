// Type definitions for @experiment-assign/statsig-storage 0.2.0
import type {
  PersistentStorage, StickyValues, UserPersistedValues, Statsig, StatsigUser,
  Experiment, Layer, ExperimentEvaluationOptions, LayerEvaluationOptions,
} from '@statsig/statsig-node-core';

export type { StickyValues, UserPersistedValues };

export interface ExperimentAssignStorageOptions {
  /** e.g. "postgresql://app@db:5432/app"; the PG* environment variables fill in what is missing */
  connectionString?: string;
  host?: string;
  port?: number | string;
  user?: string;
  password?: string;
  database?: string;
  /** as node-postgres takes it: true, or tls.connect options */
  ssl?: boolean | Record<string, unknown>;
  /** schema experiment_assign is installed in (default "public"; null: the search_path) */
  schema?: string | null;
  /** connections of the pool (default 4) */
  max?: number;
  /** connecting gives up after this (default 2000 ms) */
  connectionTimeoutMs?: number;
  /** each statement gives up after this, client and server side (default 2000 ms) */
  queryTimeoutMs?: number;
  /** a synchronous load() waits at most this long (default 3000 ms) */
  loadTimeoutMs?: number;
  /** idle connections are closed after this (default 10000 ms) */
  idleTimeoutMs?: number;
  /** application_name of the connections */
  applicationName?: string;
  /** failures of save()/delete() (default: a process warning) */
  onError?: (error: ExperimentAssignStorageError) => void;
}

export interface PersistentEvaluationOptions {
  /** the experiment's or layer's idType (default "userID") */
  idType?: string;
  /** how long to wait for node-core's save of a first assignment (default 100 ms) */
  saveWaitMs?: number;
}

export declare class ExperimentAssignStorageError extends Error {
  name: 'ExperimentAssignStorageError';
  /** SQLSTATE ("22023", "42501", ...), "ETIMEDOUT", "ERR_STORAGE_CLOSED" or a system error code */
  code?: string;
  detail?: string;
  hint?: string;
  operation: 'load' | 'save' | 'delete' | 'close';
  key: string;
  configName?: string;
}

export declare class ExperimentAssignStorage implements PersistentStorage {
  constructor(options?: ExperimentAssignStorageOptions);

  /** Synchronous (blocks up to loadTimeoutMs); {} when nothing is stored; throws ExperimentAssignStorageError. */
  load(key: string): UserPersistedValues;
  /** Stores a first assignment (a stored value is kept); returns at once. */
  save(key: string, configName: string, data: StickyValues): void;
  /** Deletes one stored value; returns at once. */
  delete(key: string, configName: string): void;

  /** The values to pass as userPersistedValues ({} when none). */
  loadAsync(key: string): Promise<UserPersistedValues>;
  /** The same for a user and the experiment's/layer's idType ({} when the user has no such unit id). */
  getUserPersistedValues(user: StatsigUser | { userID?: string; customIDs?: Record<string, string> },
    idType?: string): Promise<UserPersistedValues>;

  /** Load, evaluate, save; returns the stored group even when another writer assigned the unit first. */
  getExperiment(statsig: Statsig, user: StatsigUser, name: string,
    options?: PersistentEvaluationOptions & Omit<ExperimentEvaluationOptions, 'userPersistedValues'>): Promise<Experiment>;
  getLayer(statsig: Statsig, user: StatsigUser, name: string,
    options?: PersistentEvaluationOptions & Omit<LayerEvaluationOptions, 'userPersistedValues'>): Promise<Layer>;

  /** Waits for the writes made so far; resolves with how many failed. */
  flush(graceMs?: number): Promise<number>;
  /** Flushes, closes the pool and stops the storage thread. */
  close(): Promise<void>;
}

/** Server Core's storage key "<unit id>:<id type>", or null when the user has no unit id of that type. */
export declare function storageKey(user: StatsigUser | { userID?: string | null; customIDs?: Record<string, string> | null },
  idType: string): string | null;
