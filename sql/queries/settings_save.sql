INSERT INTO workspace_settings (workspace_id, prompt_usage_tracking, version)
VALUES ({workspace:String}, {enabled:Bool}, {version:UInt64})
