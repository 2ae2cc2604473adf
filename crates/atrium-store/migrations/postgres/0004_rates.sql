-- Cost rates over time (issue 5): a person's hourly rate changes from a date on; before the
-- first change the person's own cost rate applies.
CREATE TABLE person_rates (
    person_id UUID NOT NULL REFERENCES people (id),
    effective_from TEXT NOT NULL,
    rate_minor BIGINT NOT NULL,
    PRIMARY KEY (person_id, effective_from)
);
