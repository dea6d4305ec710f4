SELECT history_id
FROM (SELECT arrayJoin({ids:Array(String)}) AS history_id)
WHERE history_id NOT IN (SELECT history_id FROM forgotten_histories WHERE workspace_id = {workspace:String})
