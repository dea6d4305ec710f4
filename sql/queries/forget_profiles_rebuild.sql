INSERT INTO user_profiles (workspace_id, user_id, institution_id, user_email, user_fname, user_lname, instance_name, ai_name, seen_at)
SELECT workspace_id, user_id, institution_id,
       argMax(user_email, timestamp), argMax(user_fname, timestamp), argMax(user_lname, timestamp),
       argMax(instance_name, timestamp), argMax(ai_name, timestamp), max(timestamp)
FROM events
WHERE workspace_id = {workspace:String}
  AND user_id IN (SELECT user_id FROM events WHERE workspace_id = {workspace:String} AND history_id IN {ids:Array(String)})
  AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, user_id, institution_id
