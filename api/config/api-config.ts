import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadModelPriceOverrides } from '../pricing/model-price-overrides.ts';
import type { ModelPriceOverrides } from '../pricing/price-runs.ts';
import { ConfigError } from './config-error.ts';
import { loadSignInConfig, type SignInConfig, SignInEnv } from './sign-in-config.ts';

export { ConfigError };

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface ApiConfig {
  mode: 'development' | 'production';
  host: string;
  port: number;
  /** Undefined: run an embedded PostgreSQL with its data in the state directory. */
  databaseUrl: string | undefined;
  /** Port of the embedded PostgreSQL (when databaseUrl is undefined); 0 picks a free one. */
  embeddedPostgresPort: number;
  /** How long a request waits on the database before it answers 503 database_unavailable. */
  databaseTimeouts: { connectSeconds: number; querySeconds: number; idleInTransactionSeconds: number };
  stateDir: string;
  jwt: { secret: string; issuer: string; audience: string; accessTtlSeconds: number; refreshTtlSeconds: number };
  /** `current` seals new provider keys; `previous` still opens keys sealed before a rotation. */
  masterKeys: { current: MasterKey; previous: MasterKey[] };
  devLoginEnabled: boolean;
  backend: 'local' | 'kubernetes';
  /** Settings of the kubernetes backend (unused by the local one). */
  kubernetes: {
    /** Undefined: the pod's service account in cluster, else the default kubeconfig. */
    kubeconfigPath: string | undefined;
    deployTimeoutSeconds: number;
    resyncIntervalSeconds: number;
    runtimeEndpoints: 'service-dns' | 'endpoint-slices';
    clusterDomain: string;
    /** A role that may CREATE ROLE on the conversation-memory database; undefined: no durable memory. */
    memoryAdminUrl: string | undefined;
  };
  limits: { maxAgents: number; dailyRuns: number; maxMembers: number; maxStreams: number; maxApiKeys: number };
  /**
   * How long an open stream's slot outlives the last heartbeat of the API process holding it: the
   * time after which a replica that died without closing its streams stops counting against them.
   */
  streamLeaseSeconds: number;
  /** Background runs (issue 16): how many one replica executes at once, and how long their events are kept. */
  backgroundRuns: { maxPerReplica: number; eventsRetentionHours: number };
  /** The closest two ticks of a schedule may be; under 60 also allows a seconds field (tests). */
  scheduleMinIntervalSeconds: number;
  /** Orgs' MCP servers may be on loopback or a private network (inside the cluster); off: the runtime's SSRF guard refuses them. */
  mcpAllowPrivateNetworks: boolean;
  /** How long a run no org runtime took in is retried before its failure is answered; 0: never. */
  runtimeRetrySeconds: number;
  /** How long an org's runtime may serve nothing before it is scaled to zero; 0: never. */
  orgIdleSeconds: number;
  /** Days an audit log entry is kept; older ones are deleted by the hourly sweep. */
  auditRetentionDays: number;
  /** ASTROMESH_MODEL_PRICES: prices that win over api/pricing/model-prices.ts (a gateway's, a self-hosted model's). */
  modelPrices: ModelPriceOverrides;
  logLevel: string;
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish. */
  shutdownTimeoutSeconds: number;
  /** On SIGTERM/SIGINT, how long idle keep-alive connections may stay open (within the timeout); 0: closed at once. */
  shutdownLingerSeconds: number;
  /** Sign-in with an OpenID Connect issuer and GitHub; each undefined when not configured (501). */
  signIn: SignInConfig;
}

const wholeNumber = (name: string, fallback: number, minimum = 0) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((value) => value >= minimum, `${name} must be at least ${minimum}`)
    .optional()
    .transform((value) => value ?? fallback);

const positiveInt = (name: string, fallback: number) => wholeNumber(name, fallback, 1);

// Every variable the API reads, with its default. api/config/api-env-reference.ts describes each
// one for --help and README.md; a test keeps the three in step.
export const Env = z.object({
  ASTROMESH_MODE: z.enum(['development', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z
    .string()
    .regex(/^\d+$/, 'PORT must be a port number')
    .transform(Number)
    .refine((port) => port <= 65_535, 'PORT must be at most 65535')
    .default(8080),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  ASTROMESH_STATE_DIR: z.string().min(1).default('.astromesh'),
  ASTROMESH_POSTGRES_PORT: z
    .string()
    .regex(/^\d+$/, 'ASTROMESH_POSTGRES_PORT must be a port number')
    .transform(Number)
    .refine((port) => port <= 65_535, 'ASTROMESH_POSTGRES_PORT must be at most 65535')
    .default(0),
  ASTROMESH_DB_CONNECT_TIMEOUT_SECONDS: positiveInt('ASTROMESH_DB_CONNECT_TIMEOUT_SECONDS', 5),
  ASTROMESH_DB_QUERY_TIMEOUT_SECONDS: positiveInt('ASTROMESH_DB_QUERY_TIMEOUT_SECONDS', 15),
  ASTROMESH_DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: positiveInt('ASTROMESH_DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS', 30),
  ASTROMESH_JWT_SECRET: z.string().optional(),
  ASTROMESH_JWT_ISSUER: z.string().min(1).default('astromesh-cloud'),
  ASTROMESH_JWT_AUDIENCE: z.string().min(1).default('astromesh-cloud-api'),
  ASTROMESH_ACCESS_TOKEN_TTL_SECONDS: positiveInt('ASTROMESH_ACCESS_TOKEN_TTL_SECONDS', 900),
  ASTROMESH_REFRESH_TOKEN_TTL_SECONDS: positiveInt('ASTROMESH_REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400),
  ASTROMESH_MASTER_KEY: z.string().optional(),
  ASTROMESH_MASTER_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'ASTROMESH_MASTER_KEY_ID must be 1-32 letters, digits, _ or -')
    .default('k1'),
  ASTROMESH_PREVIOUS_MASTER_KEYS: z.string().optional(),
  ASTROMESH_DEV_LOGIN: z.enum(['true', 'false']).optional(),
  ASTROMESH_BACKEND: z.enum(['local', 'kubernetes']).default('local'),
  ASTROMESH_KUBECONFIG: z.string().min(1, 'ASTROMESH_KUBECONFIG must be a file path').optional(),
  ASTROMESH_DEPLOY_TIMEOUT_SECONDS: positiveInt('ASTROMESH_DEPLOY_TIMEOUT_SECONDS', 120),
  ASTROMESH_RESYNC_INTERVAL_SECONDS: positiveInt('ASTROMESH_RESYNC_INTERVAL_SECONDS', 60),
  ASTROMESH_RUNTIME_RETRY_SECONDS: wholeNumber('ASTROMESH_RUNTIME_RETRY_SECONDS', 10),
  ASTROMESH_ORG_IDLE_SECONDS: wholeNumber('ASTROMESH_ORG_IDLE_SECONDS', 900),
  ASTROMESH_RUNTIME_ENDPOINTS: z.enum(['service-dns', 'endpoint-slices']).default('service-dns'),
  ASTROMESH_CLUSTER_DOMAIN: z
    .string()
    .regex(
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
      'ASTROMESH_CLUSTER_DOMAIN must be a DNS domain such as cluster.local',
    )
    .default('cluster.local'),
  ASTROMESH_MEMORY_ADMIN_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'ASTROMESH_MEMORY_ADMIN_URL must be a postgres:// URL')
    .optional(),
  ASTROMESH_MAX_AGENTS: positiveInt('ASTROMESH_MAX_AGENTS', 5),
  ASTROMESH_DAILY_RUNS: positiveInt('ASTROMESH_DAILY_RUNS', 1000),
  ASTROMESH_MAX_MEMBERS: positiveInt('ASTROMESH_MAX_MEMBERS', 3),
  ASTROMESH_MAX_STREAMS: positiveInt('ASTROMESH_MAX_STREAMS', 5),
  ASTROMESH_STREAM_LEASE_SECONDS: positiveInt('ASTROMESH_STREAM_LEASE_SECONDS', 30),
  ASTROMESH_MAX_API_KEYS: positiveInt('ASTROMESH_MAX_API_KEYS', 50),
  ASTROMESH_MAX_BACKGROUND_RUNS: positiveInt('ASTROMESH_MAX_BACKGROUND_RUNS', 8),
  ASTROMESH_RUN_EVENTS_RETENTION_HOURS: positiveInt('ASTROMESH_RUN_EVENTS_RETENTION_HOURS', 24),
  ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS: positiveInt('ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS', 60),
  ASTROMESH_AUDIT_RETENTION_DAYS: positiveInt('ASTROMESH_AUDIT_RETENTION_DAYS', 365),
  ASTROMESH_MCP_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false']).default('false'),
  // JSON or a file path; api/pricing/model-price-overrides.ts checks it (an error names the bad key).
  ASTROMESH_MODEL_PRICES: z.string().optional(),
  ASTROMESH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ASTROMESH_SHUTDOWN_TIMEOUT_SECONDS: positiveInt('ASTROMESH_SHUTDOWN_TIMEOUT_SECONDS', 30),
  // node:http's default keepAliveTimeout (the Keep-Alive: timeout=5 every answer advertises).
  ASTROMESH_SHUTDOWN_LINGER_SECONDS: wholeNumber('ASTROMESH_SHUTDOWN_LINGER_SECONDS', 5),
  ...SignInEnv,
});

const minimumJwtSecretLength = 32;

/**
 * Reads the API's configuration from the environment. In development, a missing JWT secret or
 * master key is generated once and kept in the state directory, so restarts keep sessions and
 * provider keys; production refuses to start without them and keeps dev login off unless
 * ASTROMESH_DEV_LOGIN=true.
 */
export function loadApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${issue?.path.join('.') ?? 'environment'}: ${issue?.message ?? 'invalid'}`);
  }
  const vars = parsed.data;
  const production = vars.ASTROMESH_MODE === 'production';
  const stateDir = resolve(vars.ASTROMESH_STATE_DIR);

  const jwtSecret = vars.ASTROMESH_JWT_SECRET ?? (production ? undefined : devSecret(stateDir, 'jwt-secret', 48));
  if (!jwtSecret) throw new ConfigError('ASTROMESH_JWT_SECRET: required in production mode');
  if (jwtSecret.length < minimumJwtSecretLength) {
    throw new ConfigError(`ASTROMESH_JWT_SECRET: must be at least ${minimumJwtSecretLength} characters`);
  }

  const masterKeyText = vars.ASTROMESH_MASTER_KEY ?? (production ? undefined : devSecret(stateDir, 'master-key', 32));
  if (!masterKeyText) throw new ConfigError('ASTROMESH_MASTER_KEY: required in production mode');

  return {
    mode: vars.ASTROMESH_MODE,
    host: vars.HOST,
    port: vars.PORT,
    databaseUrl: vars.DATABASE_URL,
    embeddedPostgresPort: vars.ASTROMESH_POSTGRES_PORT,
    databaseTimeouts: {
      connectSeconds: vars.ASTROMESH_DB_CONNECT_TIMEOUT_SECONDS,
      querySeconds: vars.ASTROMESH_DB_QUERY_TIMEOUT_SECONDS,
      idleInTransactionSeconds: vars.ASTROMESH_DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS,
    },
    stateDir,
    jwt: {
      secret: jwtSecret,
      issuer: vars.ASTROMESH_JWT_ISSUER,
      audience: vars.ASTROMESH_JWT_AUDIENCE,
      accessTtlSeconds: vars.ASTROMESH_ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: vars.ASTROMESH_REFRESH_TOKEN_TTL_SECONDS,
    },
    masterKeys: {
      current: { id: vars.ASTROMESH_MASTER_KEY_ID, key: decodeMasterKey(masterKeyText, 'ASTROMESH_MASTER_KEY') },
      previous: parsePreviousKeys(vars.ASTROMESH_PREVIOUS_MASTER_KEYS),
    },
    devLoginEnabled: vars.ASTROMESH_DEV_LOGIN ? vars.ASTROMESH_DEV_LOGIN === 'true' : !production,
    backend: vars.ASTROMESH_BACKEND,
    kubernetes: {
      kubeconfigPath: vars.ASTROMESH_KUBECONFIG,
      deployTimeoutSeconds: vars.ASTROMESH_DEPLOY_TIMEOUT_SECONDS,
      resyncIntervalSeconds: vars.ASTROMESH_RESYNC_INTERVAL_SECONDS,
      runtimeEndpoints: vars.ASTROMESH_RUNTIME_ENDPOINTS,
      clusterDomain: vars.ASTROMESH_CLUSTER_DOMAIN,
      memoryAdminUrl: vars.ASTROMESH_MEMORY_ADMIN_URL,
    },
    limits: {
      maxAgents: vars.ASTROMESH_MAX_AGENTS,
      dailyRuns: vars.ASTROMESH_DAILY_RUNS,
      maxMembers: vars.ASTROMESH_MAX_MEMBERS,
      maxStreams: vars.ASTROMESH_MAX_STREAMS,
      maxApiKeys: vars.ASTROMESH_MAX_API_KEYS,
    },
    runtimeRetrySeconds: vars.ASTROMESH_RUNTIME_RETRY_SECONDS,
    orgIdleSeconds: vars.ASTROMESH_ORG_IDLE_SECONDS,
    auditRetentionDays: vars.ASTROMESH_AUDIT_RETENTION_DAYS,
    modelPrices: loadModelPriceOverrides(vars.ASTROMESH_MODEL_PRICES),
    streamLeaseSeconds: vars.ASTROMESH_STREAM_LEASE_SECONDS,
    backgroundRuns: {
      maxPerReplica: vars.ASTROMESH_MAX_BACKGROUND_RUNS,
      eventsRetentionHours: vars.ASTROMESH_RUN_EVENTS_RETENTION_HOURS,
    },
    scheduleMinIntervalSeconds: vars.ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS,
    mcpAllowPrivateNetworks: vars.ASTROMESH_MCP_ALLOW_PRIVATE_NETWORKS === 'true',
    logLevel: vars.ASTROMESH_LOG_LEVEL,
    shutdownTimeoutSeconds: vars.ASTROMESH_SHUTDOWN_TIMEOUT_SECONDS,
    shutdownLingerSeconds: vars.ASTROMESH_SHUTDOWN_LINGER_SECONDS,
    signIn: loadSignInConfig(vars),
  };
}

function decodeMasterKey(text: string, variable: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32)
    throw new ConfigError(`${variable}: must be 32 bytes, base64-encoded (openssl rand -base64 32)`);
  return key;
}

function parsePreviousKeys(text: string | undefined): MasterKey[] {
  if (!text) return [];
  return text.split(',').map((entry) => {
    const [id, key] = entry.split(':');
    if (!id || !key) throw new ConfigError('ASTROMESH_PREVIOUS_MASTER_KEYS: expected id:base64key[,id:base64key…]');
    return { id, key: decodeMasterKey(key, 'ASTROMESH_PREVIOUS_MASTER_KEYS') };
  });
}

/** A random secret generated once per state directory, for development only. */
function devSecret(stateDir: string, name: string, bytes: number): string {
  const file = join(stateDir, 'secrets', name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(join(stateDir, 'secrets'), { recursive: true, mode: 0o700 });
  const secret = randomBytes(bytes).toString('base64');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
