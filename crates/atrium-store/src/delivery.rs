//! Delivery records: status reports, the project log (issues, decisions, change requests) and lessons learned.
