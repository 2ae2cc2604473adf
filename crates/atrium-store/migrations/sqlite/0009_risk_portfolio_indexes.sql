-- The portfolio risk view over tens of thousands of open risks (issue 8's speed bar).

-- Top threats: each half of the read (project risks, register risks) walks this index in
-- its order — score, then EMV, both descending, then id — and stops after the first rows
-- that pass, instead of sorting every open risk. project_id lets the register half skip
-- project risks without reading them.
CREATE INDEX risks_top_idx ON risks (status, kind, score DESC, emv DESC, id, project_id);

-- Heat map and concentrations: a project's open risks with every column they need, so
-- the read never touches the risks' rows (whose JSON bodies make them large).
CREATE INDEX risks_points_idx ON risks (status, project_id, kind, probability, impact, emv, category, department, supplier);
