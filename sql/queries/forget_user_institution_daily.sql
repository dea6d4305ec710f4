INSERT INTO user_institution_daily (workspace_id, day, user_id, institution_id, account_id, user_role, queries, credits)
SETTINGS insert_deduplicate = 0
SELECT workspace_id, toDate(timestamp) AS day, user_id, institution_id, account_id, user_role,
       -toInt64(count()), -toDecimal128(sum(credits), 6)
FROM events
WHERE workspace_id = {workspace:String} AND history_id IN {ids:Array(String)}
GROUP BY workspace_id, day, user_id, institution_id, account_id, user_role
