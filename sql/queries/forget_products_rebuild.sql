INSERT INTO product_names_sent (workspace_id, product_id, product_name, seen_at)
SETTINGS insert_deduplicate = 0
SELECT workspace_id, product_id, maxIf(concat(toString(timestamp), product_name), product_name != ''), max(timestamp)
FROM events
WHERE workspace_id = {workspace:String}
  AND product_id IN (SELECT product_id FROM events WHERE workspace_id = {workspace:String} AND history_id IN {ids:Array(String)})
  AND product_id != toUUID('00000000-0000-0000-0000-000000000000')
  AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, product_id
