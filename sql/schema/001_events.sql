-- Raw call events, one row per event the gateway sent. Partitioned by month; the sort key serves
-- the three APIs' access paths: a workspace, a time range, then user and prompt template.
CREATE TABLE IF NOT EXISTS events
(
    workspace_id   LowCardinality(String),
    event_id       String,
    timestamp      DateTime64(3, 'UTC'),
    user_id        String,
    prompt_id      String,
    product_id     UUID,
    product_name   String,
    user_email     String,
    user_fname     String,
    user_lname     String,
    user_role      LowCardinality(String),
    account_id     String,
    institution_id String,
    instance_name  String,
    ai_name        String,
    origin         LowCardinality(String),
    history_id     String,
    model          LowCardinality(String),
    input_tokens   UInt32,
    output_tokens  UInt32,
    cost           Decimal(18, 9),
    credits        Decimal(18, 6),
    status         LowCardinality(String),
    latency_ms     UInt32,
    ingested_at    DateTime64(3, 'UTC'),
    INDEX idx_event_id event_id TYPE bloom_filter GRANULARITY 4,
    INDEX idx_history_id history_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (workspace_id, toDate(timestamp), user_id, prompt_id);
