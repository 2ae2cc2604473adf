-- Resource management (issue 7): line managers, generic resources, non-project time, own
-- working days; absences; resource requests and their time-phased allocations; and the demand
-- that plan assignments put on people, refreshed whenever a plan is saved.
ALTER TABLE people ADD COLUMN line_manager_id UUID REFERENCES people (id);
ALTER TABLE people ADD COLUMN generic BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE people ADD COLUMN non_project_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN working_days TEXT;
CREATE INDEX people_line_manager_idx ON people (line_manager_id);

CREATE TABLE person_absences (
    id UUID PRIMARY KEY,
    person_id UUID NOT NULL REFERENCES people (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX person_absences_person_idx ON person_absences (person_id, starts_on);

CREATE TABLE resource_requests (
    id UUID PRIMARY KEY,
    project_id UUID NOT NULL REFERENCES projects (id),
    job_role TEXT,
    skills TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    minutes_per_week BIGINT NOT NULL,
    note TEXT NOT NULL,
    state TEXT NOT NULL,
    person_id UUID REFERENCES people (id),
    reason TEXT NOT NULL,
    requested_by UUID REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX resource_requests_state_idx ON resource_requests (state, starts_on);
CREATE INDEX resource_requests_project_idx ON resource_requests (project_id);
CREATE INDEX resource_requests_person_idx ON resource_requests (person_id);

CREATE TABLE allocations (
    id UUID PRIMARY KEY,
    request_id UUID REFERENCES resource_requests (id),
    person_id UUID NOT NULL REFERENCES people (id),
    project_id UUID NOT NULL REFERENCES projects (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    minutes_per_week BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX allocations_person_idx ON allocations (person_id, starts_on);
CREATE INDEX allocations_project_idx ON allocations (project_id);
CREATE INDEX allocations_period_idx ON allocations (ends_on, starts_on);

CREATE TABLE plan_demand (
    project_id UUID NOT NULL REFERENCES projects (id),
    person_id UUID NOT NULL REFERENCES people (id),
    task_uid BIGINT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    minutes_per_day BIGINT NOT NULL,
    total_float_minutes BIGINT NOT NULL
);
CREATE INDEX plan_demand_project_idx ON plan_demand (project_id);
CREATE INDEX plan_demand_person_idx ON plan_demand (person_id, starts_on);
CREATE INDEX plan_demand_period_idx ON plan_demand (ends_on, starts_on);
