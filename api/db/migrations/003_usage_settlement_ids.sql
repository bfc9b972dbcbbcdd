-- A usage record written again after a lost answer (the database went away between committing the
-- insert and saying so) must not count its run twice: each settlement carries its own id.
-- Rows from before this migration have none, and NULLs never conflict.
ALTER TABLE usage_records ADD COLUMN settlement_id uuid;
CREATE UNIQUE INDEX usage_records_settlement_id ON usage_records (settlement_id);
