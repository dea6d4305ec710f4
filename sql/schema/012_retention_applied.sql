-- The TTL each table was last given from Analytics:Retention, so that start-up alters a table only when
-- the setting changed. An empty ttl means none (kept forever). The newest row per table wins.
CREATE TABLE IF NOT EXISTS retention_applied
(
    table_name String,
    ttl        String,
    applied_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY table_name;
