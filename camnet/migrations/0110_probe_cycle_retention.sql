-- probe_cycle is pruned by started_at (monitor.cycle_retention_days) and read by time
-- range (coverage history): index the column both use.
CREATE INDEX IF NOT EXISTS probe_cycle_started ON probe_cycle(started_at);
