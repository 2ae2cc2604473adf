-- Plans are large JSON documents rewritten on every edit: store them uncompressed out of
-- line (compression cost more than it saved on a 5,000-task plan's edit).
ALTER TABLE plans ALTER COLUMN body SET STORAGE EXTERNAL;
