DELETE FROM user_profiles_sent
WHERE workspace_id = {workspace:String}
  AND user_id IN (SELECT user_id FROM events WHERE workspace_id = {workspace:String} AND history_id IN {ids:Array(String)})
