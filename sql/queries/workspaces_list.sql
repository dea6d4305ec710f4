-- Every workspace the service knows of: those with a live key and those with stored usage.
SELECT workspace_id
FROM
(
    SELECT workspace_id FROM api_keys FINAL WHERE NOT revoked
    UNION DISTINCT
    SELECT DISTINCT toString(workspace_id) AS workspace_id FROM user_institution_daily
)
ORDER BY workspace_id
