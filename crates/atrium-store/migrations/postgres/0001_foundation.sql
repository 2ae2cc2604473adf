-- Foundation schema (PostgreSQL). Keep table, column and constraint names identical to
-- migrations/sqlite/0001_foundation.sql: the schema-parity test compares them.
-- Timestamps: BIGINT microseconds since the Unix epoch (sortable, exact).
-- Money: BIGINT minor units. Dates: TEXT YYYY-MM-DD. Ids: UUID UUIDs.

CREATE TABLE org_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    fiscal_year_start_month BIGINT NOT NULL,
    operating_mode TEXT NOT NULL,
    reporting_cycle TEXT NOT NULL,
    working_days TEXT NOT NULL,
    day_start BIGINT NOT NULL,
    day_end BIGINT NOT NULL,
    holidays TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE users (
    id UUID PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE grants (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id UUID,
    CONSTRAINT grants_unique UNIQUE (user_id, role, scope_kind, scope_id)
);
CREATE INDEX grants_user_idx ON grants (user_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE login_failures (
    id UUID PRIMARY KEY,
    email TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_email_idx ON login_failures (email, at);

CREATE TABLE portfolios (
    id UUID PRIMARY KEY,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    owner_id UUID REFERENCES users (id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT portfolios_key_key UNIQUE (key)
);

CREATE TABLE programs (
    id UUID PRIMARY KEY,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    portfolio_id UUID NOT NULL REFERENCES portfolios (id),
    manager_id UUID REFERENCES users (id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT programs_key_key UNIQUE (key)
);
CREATE INDEX programs_portfolio_idx ON programs (portfolio_id);

CREATE TABLE projects (
    id UUID PRIMARY KEY,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    portfolio_id UUID NOT NULL REFERENCES portfolios (id),
    program_id UUID REFERENCES programs (id),
    sponsor_id UUID REFERENCES users (id),
    manager_id UUID REFERENCES users (id),
    phase TEXT NOT NULL,
    planned_start TEXT,
    planned_finish TEXT,
    budget_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    status_note TEXT,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT projects_key_key UNIQUE (key)
);
CREATE INDEX projects_portfolio_idx ON projects (portfolio_id);
CREATE INDEX projects_program_idx ON projects (program_id);
CREATE INDEX projects_name_idx ON projects (name);

CREATE TABLE people (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    department TEXT NOT NULL,
    job_role TEXT NOT NULL,
    cost_rate_minor BIGINT NOT NULL,
    weekly_capacity_minutes BIGINT NOT NULL,
    user_id UUID REFERENCES users (id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX people_name_idx ON people (name);
CREATE INDEX people_department_idx ON people (department);

CREATE TABLE person_skills (
    person_id UUID NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    skill TEXT NOT NULL,
    level BIGINT NOT NULL,
    CONSTRAINT person_skills_pkey PRIMARY KEY (person_id, skill)
);
CREATE INDEX person_skills_skill_idx ON person_skills (skill);

CREATE TABLE audit_log (
    id UUID PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id UUID,
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
