-- Portfolio strategy and intake (issue 6): strategic drivers, scoring settings, business
-- cases (proposals) and portfolio scenarios. The whole record is kept as JSON in `body`;
-- the columns beside it are what lists filter, sort and join on.

CREATE TABLE drivers (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE strategy_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE proposals (
    id BLOB PRIMARY KEY,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    portfolio_id BLOB NOT NULL REFERENCES portfolios (id),
    state TEXT NOT NULL,
    project_id BLOB REFERENCES projects (id),
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT proposals_key_key UNIQUE (key)
);
CREATE INDEX proposals_portfolio_idx ON proposals (portfolio_id, state);
CREATE INDEX proposals_project_idx ON proposals (project_id);

CREATE TABLE scenarios (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    portfolio_id BLOB NOT NULL REFERENCES portfolios (id),
    committed BOOLEAN NOT NULL DEFAULT FALSE,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX scenarios_portfolio_idx ON scenarios (portfolio_id);
