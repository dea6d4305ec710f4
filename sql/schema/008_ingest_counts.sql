-- What ingestion stored, per workspace and minute: events accepted, duplicates dropped, lines quarantined.
-- Written by the event writer once a batch committed (duplicates are known only there), summed at read
-- time. Kept for 30 days: the dashboard shows the last hour and day.
CREATE TABLE IF NOT EXISTS ingest_counts
(
    workspace_id LowCardinality(String),
    minute       DateTime('UTC'),
    accepted     Int64,
    duplicates   Int64,
    quarantined  Int64
)
ENGINE = SummingMergeTree((accepted, duplicates, quarantined))
PARTITION BY toYYYYMM(minute)
ORDER BY (workspace_id, minute)
TTL minute + INTERVAL 30 DAY;
