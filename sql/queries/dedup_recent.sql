SELECT workspace_id AS Workspace, event_id AS EventId
FROM events
WHERE ingested_at >= now64(3) - toIntervalSecond({seconds:UInt64})
GROUP BY workspace_id, event_id
