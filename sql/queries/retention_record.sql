INSERT INTO retention_applied (table_name, ttl, applied_at)
VALUES ({table:String}, {ttl:String}, now64(3))
