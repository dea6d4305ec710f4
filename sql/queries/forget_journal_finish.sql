INSERT INTO forget_finished (workspace_id, forget_id, finished_at)
VALUES ({workspace:String}, {forget_id:UUID}, {now:DateTime64(3, 'UTC')})
