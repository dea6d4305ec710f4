-- The ids committed within the dedup window, as the writer's DedupIndex.Key computes them (the first
-- 16 bytes of SHA-256 over workspace, 0x1F, event id, read little-endian), each with its commit time:
-- 24 bytes a row, however long the ids.
SELECT
    reinterpretAsUInt128(substring(SHA256(concat(workspace_id, '\x1F', event_id)), 1, 16)) AS key,
    ingested_at AS committed_at
FROM events
WHERE ingested_at >= now64(3) - toIntervalSecond({seconds:UInt64})
