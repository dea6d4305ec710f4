-- Daily rollups the query APIs read. SummingMergeTree keeps them exact under merges: rows with the
-- same key add up, and forgetting a history inserts the negated rows of its events, which cancel.
-- The views skip events of histories already forgotten, so late arrivals never count.

CREATE TABLE IF NOT EXISTS prompt_daily
(
    workspace_id LowCardinality(String),
    prompt_id    String,
    day          Date,
    calls        Int64,
    cost         Decimal(38, 9)
)
ENGINE = SummingMergeTree((calls, cost))
PARTITION BY toYYYYMM(day)
ORDER BY (workspace_id, prompt_id, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS prompt_daily_mv TO prompt_daily AS
SELECT workspace_id, prompt_id, toDate(timestamp) AS day, toInt64(count()) AS calls, toDecimal128(sum(cost), 9) AS cost
FROM events
WHERE prompt_id != ''
  AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, prompt_id, day;

CREATE TABLE IF NOT EXISTS product_user_daily
(
    workspace_id LowCardinality(String),
    day          Date,
    product_id   UUID,
    user_id      String,
    origin       LowCardinality(String),
    prompts      Int64
)
ENGINE = SummingMergeTree(prompts)
PARTITION BY toYYYYMM(day)
ORDER BY (workspace_id, day, product_id, user_id, origin);

CREATE MATERIALIZED VIEW IF NOT EXISTS product_user_daily_mv TO product_user_daily AS
SELECT workspace_id, toDate(timestamp) AS day, product_id, user_id, origin, toInt64(count()) AS prompts
FROM events
WHERE product_id != toUUID('00000000-0000-0000-0000-000000000000')
  AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, day, product_id, user_id, origin;

CREATE TABLE IF NOT EXISTS user_institution_daily
(
    workspace_id   LowCardinality(String),
    day            Date,
    user_id        String,
    institution_id String,
    account_id     String,
    user_role      LowCardinality(String),
    queries        Int64,
    credits        Decimal(38, 6)
)
ENGINE = SummingMergeTree((queries, credits))
PARTITION BY toYYYYMM(day)
ORDER BY (workspace_id, day, user_id, institution_id, account_id, user_role);

CREATE MATERIALIZED VIEW IF NOT EXISTS user_institution_daily_mv TO user_institution_daily AS
SELECT workspace_id, toDate(timestamp) AS day, user_id, institution_id, account_id, user_role,
       toInt64(count()) AS queries, toDecimal128(sum(credits), 6) AS credits
FROM events
WHERE (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, day, user_id, institution_id, account_id, user_role;

-- The latest names and attributes seen for each user (per institution) and product; readers take
-- argMax(..., seen_at), which stays right whatever merges have or have not happened.
CREATE TABLE IF NOT EXISTS user_profiles
(
    workspace_id   LowCardinality(String),
    user_id        String,
    institution_id String,
    user_email     String,
    user_fname     String,
    user_lname     String,
    instance_name  String,
    ai_name        String,
    seen_at        DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(seen_at)
ORDER BY (workspace_id, user_id, institution_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS user_profiles_mv TO user_profiles AS
SELECT workspace_id, user_id, institution_id,
       argMax(user_email, timestamp) AS user_email, argMax(user_fname, timestamp) AS user_fname,
       argMax(user_lname, timestamp) AS user_lname, argMax(instance_name, timestamp) AS instance_name,
       argMax(ai_name, timestamp) AS ai_name, max(timestamp) AS seen_at
FROM events
GROUP BY workspace_id, user_id, institution_id;

CREATE TABLE IF NOT EXISTS product_names
(
    workspace_id LowCardinality(String),
    product_id   UUID,
    product_name String,
    seen_at      DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(seen_at)
ORDER BY (workspace_id, product_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS product_names_mv TO product_names AS
SELECT workspace_id, product_id, argMax(product_name, timestamp) AS product_name, max(timestamp) AS seen_at
FROM events
WHERE product_id != toUUID('00000000-0000-0000-0000-000000000000')
GROUP BY workspace_id, product_id;
