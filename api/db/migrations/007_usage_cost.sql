-- Issue 15: what each run cost. Nano-dollars (USD × 1e9) as a whole number, so sums are exact;
-- NULL when the run's model had no price (api/pricing: "unpriced"), and for every record written
-- before this migration, which nobody priced.
ALTER TABLE usage_records ADD COLUMN cost_nano_usd bigint;
