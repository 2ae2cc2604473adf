//! Delivery records of a project: status reports, the issue / decision / change-request log and lessons learned.
