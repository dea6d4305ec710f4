INSERT INTO user_caps (workspace_id, user_id, cap_limit, version)
VALUES ({workspace:String}, {user:String}, {cap:Nullable(Decimal(18, 6))}, {version:UInt64})
