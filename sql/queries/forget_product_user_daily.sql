INSERT INTO product_user_daily (workspace_id, day, product_id, user_id, origin, prompts)
SETTINGS insert_deduplicate = 0
SELECT workspace_id, toDate(timestamp) AS day, product_id, user_id, origin, -toInt64(count())
FROM events
WHERE workspace_id = {workspace:String} AND history_id IN {ids:Array(String)}
  AND product_id != toUUID('00000000-0000-0000-0000-000000000000')
GROUP BY workspace_id, day, product_id, user_id, origin
