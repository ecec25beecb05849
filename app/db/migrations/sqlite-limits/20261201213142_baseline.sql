-- The SQLite rate-limit file (data/palisade-limits.db): one table, exactly as
-- the hand-written DDL before versioned migrations created it. On PostgreSQL
-- rate limits are the Ent table rate_limits in the main database.
CREATE TABLE rate_limits (
			id TEXT PRIMARY KEY, tat INTEGER NOT NULL DEFAULT 0, nonce TEXT);
