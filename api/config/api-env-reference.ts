export interface EnvVariable {
  name: string;
  /** What loadApiConfig uses when the variable is unset; setting it to this changes nothing. */
  default?: string;
  /** For a variable without a fixed default: what leaving it unset does. */
  whenUnset?: string;
  description: string;
}

/**
 * Every environment variable of the Cloud API, for `node api/main.ts --help` and README.md. The
 * schema in api-config.ts is what reads them; api-env-reference.test.ts fails when the two
 * disagree on a name or a default.
 */
export const apiEnvReference: readonly EnvVariable[] = [
  {
    name: 'ASTROMESH_MODE',
    default: 'development',
    description:
      'development or production. Production refuses to start without ASTROMESH_JWT_SECRET and ' +
      'ASTROMESH_MASTER_KEY, and turns dev login off.',
  },
  { name: 'HOST', default: '127.0.0.1', description: 'Address to listen on; 0.0.0.0 in a container.' },
  { name: 'PORT', default: '8080', description: 'HTTP port; 0 picks a free one.' },
  {
    name: 'DATABASE_URL',
    whenUnset: 'embedded PostgreSQL',
    description:
      'postgres:// URL of the control-plane database. Unset: an embedded PostgreSQL whose data is ' +
      'kept in <ASTROMESH_STATE_DIR>/postgres.',
  },
  {
    name: 'ASTROMESH_STATE_DIR',
    default: '.astromesh',
    description:
      'Local state: embedded PostgreSQL data, each org runtime’s files, development secrets. ' +
      'Relative to the working directory.',
  },
  {
    name: 'ASTROMESH_POSTGRES_PORT',
    default: '0',
    description:
      'Port of the embedded PostgreSQL on 127.0.0.1; 0 picks a free one at each start (a restart after a ' +
      'crash keeps the port it has).',
  },
  {
    name: 'ASTROMESH_DB_CONNECT_TIMEOUT_SECONDS',
    default: '5',
    description:
      'How long a request waits to open a database connection, or for a free one of the pool, before it ' +
      'answers 503 database_unavailable. A healthy PostgreSQL accepts in milliseconds.',
  },
  {
    name: 'ASTROMESH_DB_QUERY_TIMEOUT_SECONDS',
    default: '15',
    description:
      'Longest database statement: the server cancels it (statement_timeout) and the API gives up one ' +
      'second later if the server cannot answer at all (paused, unreachable); the request answers 503 ' +
      'database_unavailable. With the connect timeout it stays under the 30 s of common proxies.',
  },
  {
    name: 'ASTROMESH_DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS',
    default: '30',
    description:
      'PostgreSQL ends a session whose transaction sits idle this long, so an API replica that stalls ' +
      'mid-transaction releases its locks. Deploys, which hold a transaction while the runtime applies ' +
      'the change, get ASTROMESH_DEPLOY_TIMEOUT_SECONDS (at least 60) plus this.',
  },
  {
    name: 'ASTROMESH_JWT_SECRET',
    whenUnset: 'generated (development)',
    description:
      'Signs access tokens; at least 32 characters. Required in production; in development it is ' +
      'generated once into <ASTROMESH_STATE_DIR>/secrets.',
  },
  { name: 'ASTROMESH_JWT_ISSUER', default: 'astromesh-cloud', description: 'Issuer (iss) of access tokens.' },
  { name: 'ASTROMESH_JWT_AUDIENCE', default: 'astromesh-cloud-api', description: 'Audience (aud) of access tokens.' },
  {
    name: 'ASTROMESH_ACCESS_TOKEN_TTL_SECONDS',
    default: '900',
    description: 'Lifetime of an access token.',
  },
  {
    name: 'ASTROMESH_REFRESH_TOKEN_TTL_SECONDS',
    default: '2592000',
    description: 'Lifetime of a login session (its refresh tokens); 30 days.',
  },
  {
    name: 'ASTROMESH_MASTER_KEY',
    whenUnset: 'generated (development)',
    description:
      '32 bytes, base64 (openssl rand -base64 32), that encrypt provider keys at rest (AES-256-GCM). ' +
      'Required in production; in development it is generated once into <ASTROMESH_STATE_DIR>/secrets.',
  },
  {
    name: 'ASTROMESH_MASTER_KEY_ID',
    default: 'k1',
    description: 'Name of the current master key, stored with every provider key it seals.',
  },
  {
    name: 'ASTROMESH_PREVIOUS_MASTER_KEYS',
    whenUnset: 'none',
    description: 'id:base64key[,id:base64key…]: retired master keys that still open provider keys sealed with them.',
  },
  {
    name: 'ASTROMESH_DEV_LOGIN',
    whenUnset: 'true in development, false in production',
    description: 'true or false: whether POST /api/v1/auth/dev/login signs anyone in by email.',
  },
  {
    name: 'ASTROMESH_BACKEND',
    default: 'local',
    description:
      'Where agents run: local (one runtime process per org on loopback) or kubernetes (a namespace ' +
      'per org with CloudAgent resources that the operator runs).',
  },
  {
    name: 'ASTROMESH_KUBECONFIG',
    whenUnset: 'in-cluster service account, else the default kubeconfig',
    description:
      'kubernetes backend: kubeconfig file of the API. Unset: the pod’s service account in a cluster, ' +
      'otherwise KUBECONFIG or ~/.kube/config.',
  },
  {
    name: 'ASTROMESH_DEPLOY_TIMEOUT_SECONDS',
    default: '120',
    description:
      'kubernetes backend: how long deploy, pause, delete and provider-key changes wait for the operator ' +
      'to report every agent Ready or Paused; past it they answer 504 deploy_timeout and roll back.',
  },
  {
    name: 'ASTROMESH_RESYNC_INTERVAL_SECONDS',
    default: '60',
    description:
      'kubernetes backend: how often every org’s CloudAgents and Secret are re-applied from the database, ' +
      'so hand edits and deletions are undone.',
  },
  {
    name: 'ASTROMESH_RUNTIME_RETRY_SECONDS',
    default: '10',
    description:
      'How long a run, test or stream that no org runtime took in (none ready, connection refused, a ' +
      'name that does not resolve yet, a runtime reloading or shutting down) is sent again before it ' +
      "answers 502/503, counted from the first failure (a sleeping org's wake is waited for before " +
      'that): a runtime just deployed or rolled is served once its Service routes to it. ' +
      '0: never retried.',
  },
  {
    name: 'ASTROMESH_ORG_IDLE_SECONDS',
    default: '900',
    description:
      'How long an org’s runtime may serve nothing before it sleeps: scaled to zero (local: its ' +
      'process stops; kubernetes: its Deployment goes to 0 replicas, its CloudAgents stay Ready with ' +
      'reason Sleeping). The next run, test or stream wakes it and waits for it; calls during a wake ' +
      'all wait for the same one. 0: orgs never sleep.',
  },
  {
    name: 'ASTROMESH_AUDIT_RETENTION_DAYS',
    default: '365',
    description:
      'Days an audit log entry (GET /orgs/{slug}/audit) is kept; an hourly sweep deletes older ones, ' +
      'and the record of revoked API keys with them. At least 1.',
  },
  {
    name: 'ASTROMESH_MODEL_PRICES',
    whenUnset: 'the built-in price table',
    description:
      'Model prices that win over the built-in table (api/pricing/model-prices.ts), USD per million ' +
      'tokens: a JSON object, or the path of a file holding one, e.g. ' +
      '{"openai/gpt-6-luna": {"input": 0.1, "output": 0.5}, "openai_compat/*": {"input": 0, "output": 0}}. ' +
      'A key is provider/model (a prefix: dated snapshots match) or provider/* (every model of the provider). ' +
      'Runs of a model neither prices are unpriced (cost_usd null).',
  },
  {
    name: 'ASTROMESH_RUNTIME_ENDPOINTS',
    default: 'service-dns',
    description:
      'kubernetes backend: how the API reaches an org’s runtime. service-dns (API in the cluster): the ' +
      'runtime Service’s DNS name. endpoint-slices (API outside the cluster): a ready pod address from ' +
      'the Service’s EndpointSlices.',
  },
  {
    name: 'ASTROMESH_CLUSTER_DOMAIN',
    default: 'cluster.local',
    description: 'kubernetes backend: the cluster’s DNS domain, for service-dns runtime endpoints.',
  },
  {
    name: 'ASTROMESH_MEMORY_ADMIN_URL',
    whenUnset: 'no durable memory',
    description:
      'kubernetes backend: postgres:// URL of a role that may CREATE ROLE and owns the database for ' +
      'conversation memory. Each org gets a login role and a schema of its own there, with a password ' +
      'derived from ASTROMESH_MASTER_KEY; its runtime gets that URL in its Secret.',
  },
  { name: 'ASTROMESH_MAX_AGENTS', default: '5', description: 'Agents per org.' },
  { name: 'ASTROMESH_DAILY_RUNS', default: '1000', description: 'Runs per org per UTC day.' },
  { name: 'ASTROMESH_MAX_MEMBERS', default: '3', description: 'Members per org.' },
  {
    name: 'ASTROMESH_MAX_STREAMS',
    default: '5',
    description: 'Concurrent WebSocket streams per org, counted in the database across every API replica.',
  },
  {
    name: 'ASTROMESH_STREAM_LEASE_SECONDS',
    default: '30',
    description:
      'How long an open stream holds its slot without a heartbeat (sent every third of it) from its ' +
      'API replica: a replica that dies without closing its streams frees their slots after this.',
  },
  {
    name: 'ASTROMESH_MAX_API_KEYS',
    default: '50',
    description: 'API keys per org (revoked keys do not count).',
  },
  {
    name: 'ASTROMESH_MAX_BACKGROUND_RUNS',
    default: '8',
    description:
      'Background runs (POST …/agents/{name}/runs) one API replica executes at once; later ones wait as ' +
      'queued, up to ten times as many, then 503 background_runs_busy.',
  },
  {
    name: 'ASTROMESH_RUN_EVENTS_RETENTION_HOURS',
    default: '24',
    description:
      'How long the events of a finished background run stay readable (GET …/runs/{run_id}/events); the run ' +
      'itself is kept 30 days.',
  },
  {
    name: 'ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS',
    default: '60',
    description:
      'The closest two ticks of a schedule may be (a cron firing more often is refused, naming `cron`); ' +
      'under 60, a six-field cron with seconds first is accepted too (tests use 1).',
  },
  {
    name: 'ASTROMESH_MCP_ALLOW_PRIVATE_NETWORKS',
    default: 'false',
    description:
      "true or false: whether orgs' MCP tool servers may be on loopback or a private network (servers " +
      "inside the cluster); false: the runtime's SSRF guard refuses loopback, private and metadata addresses.",
  },
  {
    name: 'ASTROMESH_LOG_LEVEL',
    default: 'info',
    description: 'fatal, error, warn, info, debug, trace or silent. Logs are JSON lines on stdout.',
  },
  {
    name: 'ASTROMESH_SHUTDOWN_TIMEOUT_SECONDS',
    default: '30',
    description: 'On SIGTERM or SIGINT, how long requests in flight may take to finish.',
  },
  {
    name: 'ASTROMESH_SHUTDOWN_LINGER_SECONDS',
    default: '5',
    description:
      'On SIGTERM or SIGINT, how long idle keep-alive connections stay open (never past ' +
      'ASTROMESH_SHUTDOWN_TIMEOUT_SECONDS), so a client sending its next request on one is answered, not cut; ' +
      'every answer while shutting down says Connection: close. 5 is the Keep-Alive timeout the API ' +
      'advertises, before which clients stop reusing a connection. 0: closed at once.',
  },
  {
    name: 'ASTROMESH_PUBLIC_URL',
    whenUnset: 'no sign-in through an identity provider',
    description:
      'The API as browsers reach it (https://cloud.example.com). Required with ASTROMESH_OIDC_* or ' +
      'ASTROMESH_GITHUB_*: the redirect URIs to register are <this>/api/v1/auth/oidc/callback and ' +
      '<this>/api/v1/auth/github/callback. Webhook URLs and A2A agent-card endpoints start with it too; ' +
      'unset, they take the scheme and host of the request that asked for them.',
  },
  {
    name: 'ASTROMESH_OIDC_ISSUER',
    whenUnset: 'POST /api/v1/auth/google answers 501',
    description:
      'OpenID Connect issuer whose discovery document the API reads (https://accounts.google.com, a ' +
      'Keycloak realm, Dex, Entra ID…). With its client id and secret it turns on sign-in with it.',
  },
  {
    name: 'ASTROMESH_OIDC_CLIENT_ID',
    whenUnset: 'no OpenID Connect sign-in',
    description: 'The client id registered at the OpenID Connect issuer.',
  },
  {
    name: 'ASTROMESH_OIDC_CLIENT_SECRET',
    whenUnset: 'no OpenID Connect sign-in',
    description: 'That client’s secret (a confidential client); never logged.',
  },
  {
    name: 'ASTROMESH_OIDC_NAME',
    whenUnset: 'the issuer’s host name (Google for accounts.google.com)',
    description: 'What the Studio’s button says: Sign in with <this>.',
  },
  {
    name: 'ASTROMESH_GITHUB_CLIENT_ID',
    whenUnset: 'POST /api/v1/auth/github answers 501',
    description: 'Client id of a GitHub OAuth app; with its secret it turns on sign-in with GitHub.',
  },
  {
    name: 'ASTROMESH_GITHUB_CLIENT_SECRET',
    whenUnset: 'no GitHub sign-in',
    description: 'That OAuth app’s client secret; never logged.',
  },
  {
    name: 'ASTROMESH_GITHUB_URL',
    default: 'https://github.com',
    description: 'Where users authorize the OAuth app and codes are exchanged (a GitHub Enterprise host).',
  },
  {
    name: 'ASTROMESH_GITHUB_API_URL',
    default: 'https://api.github.com',
    description: 'GitHub’s REST API, asked who signed in (GET /user, /user/emails); https://HOST/api/v3 on Enterprise.',
  },
];

/** The default column of the README table and --help: the default, or what unset means. */
export function defaultLabelOf(variable: EnvVariable): string {
  return variable.default !== undefined ? variable.default : `unset: ${variable.whenUnset ?? 'no default'}`;
}
