//! Delivery use cases: status reports, the issue / decision / change-request log, lessons learned and closing a project.
