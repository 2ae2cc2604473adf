-- Portfolio strategy and intake (issue 6): strategic drivers, scoring settings, business
-- cases (proposals) and portfolio scenarios. The whole record is kept as JSON in `body`;
-- the columns beside it are what lists filter, sort and join on.

CREATE TABLE drivers (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE strategy_config (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE proposals (
    id UUID PRIMARY KEY,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    portfolio_id UUID NOT NULL REFERENCES portfolios (id),
    state TEXT NOT NULL,
    project_id UUID REFERENCES projects (id),
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT proposals_key_key UNIQUE (key)
);
CREATE INDEX proposals_portfolio_idx ON proposals (portfolio_id, state);
CREATE INDEX proposals_project_idx ON proposals (project_id);

CREATE TABLE scenarios (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    portfolio_id UUID NOT NULL REFERENCES portfolios (id),
    committed BOOLEAN NOT NULL DEFAULT FALSE,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX scenarios_portfolio_idx ON scenarios (portfolio_id);
