INSERT INTO prompt_daily (workspace_id, prompt_id, day, calls, cost)
SETTINGS insert_deduplicate = 0
SELECT workspace_id, prompt_id, toDate(timestamp) AS day, -toInt64(count()), -toDecimal128(sum(cost), 9)
FROM events
WHERE workspace_id = {workspace:String} AND history_id IN {ids:Array(String)} AND prompt_id != ''
GROUP BY workspace_id, prompt_id, day
