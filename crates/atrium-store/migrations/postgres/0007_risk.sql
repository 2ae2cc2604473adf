-- Risk management (issue 8): the organization's one risk matrix (a single row) and every
-- register's risks, stored whole as JSON beside the columns lists filter, sort and
-- aggregate on.
CREATE TABLE risk_config (
    id BIGINT PRIMARY KEY,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE risks (
    id UUID PRIMARY KEY,
    number BIGINT NOT NULL,
    level TEXT NOT NULL,
    project_id UUID REFERENCES projects (id),
    program_id UUID REFERENCES programs (id),
    portfolio_id UUID REFERENCES portfolios (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    score BIGINT,
    probability BIGINT,
    impact BIGINT,
    emv BIGINT NOT NULL,
    category TEXT NOT NULL,
    department TEXT NOT NULL,
    supplier TEXT NOT NULL,
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    escalation TEXT,
    next_review TEXT,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX risks_project_idx ON risks (project_id, number);
CREATE INDEX risks_program_idx ON risks (program_id);
CREATE INDEX risks_portfolio_idx ON risks (portfolio_id, status);
CREATE INDEX risks_review_idx ON risks (status, next_review);
CREATE INDEX risks_owner_idx ON risks (owner, status);
CREATE INDEX risks_escalation_idx ON risks (escalation);
