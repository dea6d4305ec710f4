-- Names and attributes seen only in forgotten histories must not surface as the latest ones: the
-- profile views skip forgotten histories like the rollups do (forgetting rebuilds the profiles of
-- the users and products it touches).
DROP VIEW IF EXISTS user_profiles_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS user_profiles_mv TO user_profiles AS
SELECT workspace_id, user_id, institution_id,
       argMax(user_email, timestamp) AS user_email, argMax(user_fname, timestamp) AS user_fname,
       argMax(user_lname, timestamp) AS user_lname, argMax(instance_name, timestamp) AS instance_name,
       argMax(ai_name, timestamp) AS ai_name, max(timestamp) AS seen_at
FROM events
WHERE (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, user_id, institution_id;

DROP VIEW IF EXISTS product_names_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS product_names_mv TO product_names AS
SELECT workspace_id, product_id, argMax(product_name, timestamp) AS product_name, max(timestamp) AS seen_at
FROM events
WHERE product_id != toUUID('00000000-0000-0000-0000-000000000000')
  AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, product_id;
