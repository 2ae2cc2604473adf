-- Project workspace (issue 5): plans, cross-project links, timesheets, status reports, the
-- issue / decision / change-request log, templates and lessons learned. Plans, reports,
-- log entries and templates are kept whole as JSON in `body`; the columns beside it are what
-- lists filter, sort and join on.

CREATE TABLE plans (
    project_id BLOB PRIMARY KEY REFERENCES projects (id),
    task_count INTEGER NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- One row per link whose predecessor is a task of another project, kept in step with the
-- successor's plan. pred_start / pred_finish are the predecessor's last scheduled dates
-- (engine minutes), the external dates the successor is scheduled against.
CREATE TABLE plan_cross_links (
    succ_project BLOB NOT NULL REFERENCES projects (id),
    succ_uid INTEGER NOT NULL,
    pred_project BLOB NOT NULL REFERENCES projects (id),
    pred_uid INTEGER NOT NULL,
    kind TEXT NOT NULL,
    lag INTEGER NOT NULL,
    pred_start INTEGER,
    pred_finish INTEGER,
    PRIMARY KEY (succ_project, succ_uid, pred_project, pred_uid)
);
CREATE INDEX plan_cross_links_pred_idx ON plan_cross_links (pred_project, pred_uid);

CREATE TABLE timesheets (
    id BLOB PRIMARY KEY,
    person_id BLOB NOT NULL REFERENCES people (id),
    project_id BLOB NOT NULL REFERENCES projects (id),
    week_start TEXT NOT NULL,
    state TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT timesheets_week_key UNIQUE (person_id, project_id, week_start)
);
CREATE INDEX timesheets_project_idx ON timesheets (project_id, state);

CREATE TABLE status_reports (
    id BLOB PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects (id),
    period TEXT NOT NULL,
    revision INTEGER NOT NULL,
    state TEXT NOT NULL,
    overall TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    submitted_at INTEGER,
    CONSTRAINT status_reports_revision_key UNIQUE (project_id, period, revision)
);
CREATE INDEX status_reports_project_idx ON status_reports (project_id, period);

CREATE TABLE project_log (
    id BLOB PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects (id),
    kind TEXT NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    priority TEXT NOT NULL,
    owner_id BLOB REFERENCES users (id),
    due TEXT,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT project_log_number_key UNIQUE (project_id, kind, number)
);

CREATE TABLE project_templates (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT project_templates_name_key UNIQUE (name)
);

CREATE TABLE lessons (
    project_id BLOB PRIMARY KEY REFERENCES projects (id),
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- An uploaded MS Project file parsed and waiting for its preview to be confirmed.
CREATE TABLE plan_imports (
    id BLOB PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects (id),
    user_id BLOB NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
