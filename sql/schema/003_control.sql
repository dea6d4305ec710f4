-- Control data: keys, workspace settings, caps and forgotten histories. Each row carries a version;
-- the newest version of a key wins (ReplacingMergeTree, read with FINAL or argMax).
CREATE TABLE IF NOT EXISTS api_keys
(
    id           String,
    workspace_id String,
    key_hash     String,
    scopes       Array(LowCardinality(String)),
    product_id   Nullable(UUID),
    name         String,
    created_at   DateTime64(3, 'UTC'),
    revoked      Bool,
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS workspace_settings
(
    workspace_id          String,
    prompt_usage_tracking Bool,
    version               UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY workspace_id;

CREATE TABLE IF NOT EXISTS user_caps
(
    workspace_id String,
    user_id      String,
    cap_limit    Nullable(Decimal(18, 6)),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (workspace_id, user_id);

CREATE TABLE IF NOT EXISTS forgotten_histories
(
    workspace_id String,
    history_id   String,
    forgotten_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(forgotten_at)
ORDER BY (workspace_id, history_id);
