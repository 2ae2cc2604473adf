-- Project workspace (issue 5): plans, cross-project links, timesheets, status reports, the
-- issue / decision / change-request log, templates and lessons learned. Plans, reports,
-- log entries and templates are kept whole as JSON in `body`; the columns beside it are what
-- lists filter, sort and join on.

CREATE TABLE plans (
    project_id UUID PRIMARY KEY REFERENCES projects (id),
    task_count BIGINT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per link whose predecessor is a task of another project, kept in step with the
-- successor's plan. pred_start / pred_finish are the predecessor's last scheduled dates
-- (engine minutes), the external dates the successor is scheduled against.
CREATE TABLE plan_cross_links (
    succ_project UUID NOT NULL REFERENCES projects (id),
    succ_uid BIGINT NOT NULL,
    pred_project UUID NOT NULL REFERENCES projects (id),
    pred_uid BIGINT NOT NULL,
    kind TEXT NOT NULL,
    lag BIGINT NOT NULL,
    pred_start BIGINT,
    pred_finish BIGINT,
    PRIMARY KEY (succ_project, succ_uid, pred_project, pred_uid)
);
CREATE INDEX plan_cross_links_pred_idx ON plan_cross_links (pred_project, pred_uid);

CREATE TABLE timesheets (
    id UUID PRIMARY KEY,
    person_id UUID NOT NULL REFERENCES people (id),
    project_id UUID NOT NULL REFERENCES projects (id),
    week_start TEXT NOT NULL,
    state TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT timesheets_week_key UNIQUE (person_id, project_id, week_start)
);
CREATE INDEX timesheets_project_idx ON timesheets (project_id, state);

CREATE TABLE status_reports (
    id UUID PRIMARY KEY,
    project_id UUID NOT NULL REFERENCES projects (id),
    period TEXT NOT NULL,
    revision BIGINT NOT NULL,
    state TEXT NOT NULL,
    overall TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    CONSTRAINT status_reports_revision_key UNIQUE (project_id, period, revision)
);
CREATE INDEX status_reports_project_idx ON status_reports (project_id, period);

CREATE TABLE project_log (
    id UUID PRIMARY KEY,
    project_id UUID NOT NULL REFERENCES projects (id),
    kind TEXT NOT NULL,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    priority TEXT NOT NULL,
    owner_id UUID REFERENCES users (id),
    due TEXT,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT project_log_number_key UNIQUE (project_id, kind, number)
);

CREATE TABLE project_templates (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT project_templates_name_key UNIQUE (name)
);

CREATE TABLE lessons (
    project_id UUID PRIMARY KEY REFERENCES projects (id),
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- An uploaded MS Project file parsed and waiting for its preview to be confirmed.
CREATE TABLE plan_imports (
    id UUID PRIMARY KEY,
    project_id UUID NOT NULL REFERENCES projects (id),
    user_id UUID NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
