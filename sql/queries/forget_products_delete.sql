DELETE FROM product_names_sent
WHERE workspace_id = {workspace:String}
  AND product_id IN (SELECT product_id FROM events WHERE workspace_id = {workspace:String} AND history_id IN {ids:Array(String)})
