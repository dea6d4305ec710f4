INSERT INTO user_profiles_sent (workspace_id, user_id, institution_id, user_email, user_fname, user_lname, instance_name, ai_name, seen_at)
SETTINGS insert_deduplicate = 0
SELECT workspace_id, user_id, institution_id,
       maxIf(concat(toString(timestamp), user_email), user_email != ''), maxIf(concat(toString(timestamp), user_fname), user_fname != ''),
       maxIf(concat(toString(timestamp), user_lname), user_lname != ''), maxIf(concat(toString(timestamp), instance_name), instance_name != ''),
       maxIf(concat(toString(timestamp), ai_name), ai_name != ''), max(timestamp)
FROM events
WHERE workspace_id = {workspace:String}
  AND user_id IN (SELECT user_id FROM events WHERE workspace_id = {workspace:String} AND history_id IN {ids:Array(String)})
  AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY workspace_id, user_id, institution_id
