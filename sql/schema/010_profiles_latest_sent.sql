-- "Latest seen" is the latest value actually sent, field by field: an event that leaves out the email or
-- a name (or sends it empty) no longer blanks the one known. A ReplacingMergeTree keeps one whole row per
-- key, the last one, so it cannot remember an older email beside a newer empty one. Each field is now the
-- max of (timestamp, value) over the events that sent it, which merges keep exactly (a max of maxes) and
-- which no repeat or re-run can change; readers take max(field).2. An event that did not send a field
-- gives (1970-01-01, ''), the smallest value, so it never wins over one that did. The tables are new, so
-- that two instances migrating at once never drop what the other just made; the old ones go at the end.
CREATE TABLE IF NOT EXISTS user_profiles_latest
(
    workspace_id   LowCardinality(String),
    user_id        String,
    institution_id String,
    user_email     SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), String)),
    user_fname     SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), String)),
    user_lname     SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), String)),
    instance_name  SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), String)),
    ai_name        SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), String)),
    seen_at        SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (workspace_id, user_id, institution_id);

CREATE TABLE IF NOT EXISTS product_names_latest
(
    workspace_id LowCardinality(String),
    product_id   UUID,
    product_name SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), String)),
    seen_at      SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (workspace_id, product_id);

-- Like the rollups, the views skip forgotten histories; forgetting rebuilds the profiles it touches.
CREATE MATERIALIZED VIEW IF NOT EXISTS user_profiles_latest_mv TO user_profiles_latest AS
SELECT workspace_id, user_id, institution_id,
       maxIf((timestamp, user_email), user_email != '') AS user_email,
       maxIf((timestamp, user_fname), user_fname != '') AS user_fname,
       maxIf((timestamp, user_lname), user_lname != '') AS user_lname,
       maxIf((timestamp, instance_name), instance_name != '') AS instance_name,
       maxIf((timestamp, ai_name), ai_name != '') AS ai_name,
       max(timestamp) AS seen_at
FROM events
WHERE (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, user_id, institution_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS product_names_latest_mv TO product_names_latest AS
SELECT workspace_id, product_id, maxIf((timestamp, product_name), product_name != '') AS product_name, max(timestamp) AS seen_at
FROM events
WHERE product_id != toUUID('00000000-0000-0000-0000-000000000000')
  AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, product_id;

-- The profiles of the events stored before this migration (an event also seen by the new views counts
-- once: max is the same however often a value is taken). Runs after the views exist, so that no event
-- committed in between is missed.
INSERT INTO user_profiles_latest (workspace_id, user_id, institution_id, user_email, user_fname, user_lname, instance_name, ai_name, seen_at)
SELECT workspace_id, user_id, institution_id,
       maxIf((timestamp, user_email), user_email != ''), maxIf((timestamp, user_fname), user_fname != ''),
       maxIf((timestamp, user_lname), user_lname != ''), maxIf((timestamp, instance_name), instance_name != ''),
       maxIf((timestamp, ai_name), ai_name != ''), max(timestamp)
FROM events
WHERE (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, user_id, institution_id;

INSERT INTO product_names_latest (workspace_id, product_id, product_name, seen_at)
SELECT workspace_id, product_id, maxIf((timestamp, product_name), product_name != ''), max(timestamp)
FROM events
WHERE product_id != toUUID('00000000-0000-0000-0000-000000000000')
  AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, product_id;

-- The users and institutions whose latest profile matches a usersearch, read the new way.
CREATE OR REPLACE VIEW user_search_matches AS
SELECT user_id, institution_id
FROM user_profiles_latest
WHERE workspace_id = {workspace:String}
GROUP BY user_id, institution_id
HAVING positionCaseInsensitiveUTF8(max(user_email).2, {search:String}) > 0
    OR positionCaseInsensitiveUTF8(max(user_fname).2, {search:String}) > 0
    OR positionCaseInsensitiveUTF8(max(user_lname).2, {search:String}) > 0;

-- The tables and views of the whole-row profiles, which nothing reads any more.
DROP VIEW IF EXISTS user_profiles_mv;

DROP VIEW IF EXISTS product_names_mv;

DROP TABLE IF EXISTS user_profiles;

DROP TABLE IF EXISTS product_names;
