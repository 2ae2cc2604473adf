-- Risk management, second part (issue 8): risks raised directly in program and portfolio
-- registers (project_id stays NULL; no schema change needed), owners of open response
-- actions (for their home pages), each business case's primary strategic driver (for risk
-- concentration by driver) and a daily exposure snapshot per portfolio (the trend).

-- ",owner1,owner2," — lowercased owners of the risk's actions that are not done.
ALTER TABLE risks ADD COLUMN action_owners TEXT NOT NULL DEFAULT '';
CREATE INDEX risks_register_idx ON risks (level, program_id, portfolio_id);

-- The driver the business case rates highest (ties: the first in id order). The index
-- covers the portfolio view's lookup (project → driver) so it never reads the case's body.
ALTER TABLE proposals ADD COLUMN primary_driver BLOB;

-- One row per portfolio and day a risk of it changed: the open risks as they stood then.
CREATE INDEX proposals_driver_idx ON proposals (project_id, primary_driver);

CREATE TABLE risk_exposure (
    portfolio_id BLOB NOT NULL REFERENCES portfolios (id),
    day TEXT NOT NULL,
    open_risks INTEGER NOT NULL,
    threat_emv BIGINT NOT NULL,
    -- Open threats in the two highest bands of the matrix.
    severe INTEGER NOT NULL,
    PRIMARY KEY (portfolio_id, day)
);
