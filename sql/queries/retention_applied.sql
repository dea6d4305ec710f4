SELECT table_name, argMax(ttl, applied_at) AS ttl
FROM retention_applied
GROUP BY table_name
