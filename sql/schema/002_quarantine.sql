-- Lines that failed validation, kept verbatim with the reason, so nothing is silently dropped.
CREATE TABLE IF NOT EXISTS quarantine
(
    workspace_id LowCardinality(String),
    received_at  DateTime64(3, 'UTC'),
    line         UInt32,
    raw          String,
    reason       String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (workspace_id, received_at);
