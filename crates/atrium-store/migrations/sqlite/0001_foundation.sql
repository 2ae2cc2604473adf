-- Foundation schema (SQLite). Keep table, column and constraint names identical to
-- migrations/postgres/0001_foundation.sql: the schema-parity test compares them.
-- Timestamps: INTEGER microseconds since the Unix epoch (sortable, exact).
-- Money: INTEGER minor units. Dates: TEXT YYYY-MM-DD. Ids: BLOB UUIDs.

CREATE TABLE org_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    fiscal_year_start_month INTEGER NOT NULL,
    operating_mode TEXT NOT NULL,
    reporting_cycle TEXT NOT NULL,
    working_days TEXT NOT NULL,
    day_start INTEGER NOT NULL,
    day_end INTEGER NOT NULL,
    holidays TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE grants (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id BLOB,
    CONSTRAINT grants_unique UNIQUE (user_id, role, scope_kind, scope_id)
);
CREATE INDEX grants_user_idx ON grants (user_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE login_failures (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_email_idx ON login_failures (email, at);

CREATE TABLE portfolios (
    id BLOB PRIMARY KEY,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    owner_id BLOB REFERENCES users (id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT portfolios_key_key UNIQUE (key)
);

CREATE TABLE programs (
    id BLOB PRIMARY KEY,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    portfolio_id BLOB NOT NULL REFERENCES portfolios (id),
    manager_id BLOB REFERENCES users (id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT programs_key_key UNIQUE (key)
);
CREATE INDEX programs_portfolio_idx ON programs (portfolio_id);

CREATE TABLE projects (
    id BLOB PRIMARY KEY,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    portfolio_id BLOB NOT NULL REFERENCES portfolios (id),
    program_id BLOB REFERENCES programs (id),
    sponsor_id BLOB REFERENCES users (id),
    manager_id BLOB REFERENCES users (id),
    phase TEXT NOT NULL,
    planned_start TEXT,
    planned_finish TEXT,
    budget_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    status_note TEXT,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT projects_key_key UNIQUE (key)
);
CREATE INDEX projects_portfolio_idx ON projects (portfolio_id);
CREATE INDEX projects_program_idx ON projects (program_id);
CREATE INDEX projects_name_idx ON projects (name);

CREATE TABLE people (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    department TEXT NOT NULL,
    job_role TEXT NOT NULL,
    cost_rate_minor INTEGER NOT NULL,
    weekly_capacity_minutes INTEGER NOT NULL,
    user_id BLOB REFERENCES users (id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX people_name_idx ON people (name);
CREATE INDEX people_department_idx ON people (department);

CREATE TABLE person_skills (
    person_id BLOB NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    skill TEXT NOT NULL,
    level INTEGER NOT NULL,
    CONSTRAINT person_skills_pkey PRIMARY KEY (person_id, skill)
);
CREATE INDEX person_skills_skill_idx ON person_skills (skill);

CREATE TABLE audit_log (
    id BLOB PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id BLOB,
    actor_email TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id);
