SELECT argMax(prompt_usage_tracking, version)
FROM workspace_settings
WHERE workspace_id = {workspace:String}
HAVING count() > 0
