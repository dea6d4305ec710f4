INSERT INTO forgotten_histories (workspace_id, history_id, forgotten_at)
SELECT {workspace:String}, arrayJoin({ids:Array(String)}), {now:DateTime64(3, 'UTC')}
