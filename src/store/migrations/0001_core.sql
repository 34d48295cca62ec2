-- The core: accounts, sessions, API tokens, login throttling, audit, jobs.
-- Public ids are UUIDv7 text; integer keys stay inside the store.
-- Times are ISO 8601 UTC text, except where a column says ms (integers
-- compared on every request).

CREATE TABLE change_seq (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
INSERT INTO change_seq (id, n) VALUES (1, 0);

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE users (
  uid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  login TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  lang TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL,
  scope TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  password_changed_ms INTEGER NOT NULL,
  person_id TEXT,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX users_seq ON users (seq);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_uid INTEGER NOT NULL REFERENCES users (uid),
  csrf TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  seen_ms INTEGER NOT NULL,
  ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_uid);

CREATE TABLE api_tokens (
  uid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  user_uid INTEGER NOT NULL REFERENCES users (uid),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT,
  updated_at TEXT NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_uid);

CREATE TABLE login_failures (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  window_ms INTEGER NOT NULL
);

CREATE TABLE audit (
  uid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  at TEXT NOT NULL,
  actor_id TEXT,
  actor_login TEXT,
  action TEXT NOT NULL,
  object_kind TEXT NOT NULL,
  object_id TEXT,
  ip TEXT,
  request_id TEXT,
  detail TEXT
);
CREATE INDEX audit_object ON audit (object_kind, object_id);
CREATE INDEX audit_actor ON audit (actor_id);

CREATE TABLE jobs (
  uid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  progress INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  params TEXT NOT NULL DEFAULT '{}',
  result TEXT,
  started_by TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  updated_at TEXT NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX jobs_state ON jobs (state, uid);
