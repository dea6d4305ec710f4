INSERT INTO api_keys (id, workspace_id, key_hash, scopes, product_id, name, created_at, revoked, version)
VALUES ({id:String}, {workspace:String}, {hash:String}, {scopes:Array(String)}, {product:Nullable(UUID)},
        {name:String}, {created:DateTime64(3, 'UTC')}, {revoked:Bool}, {version:UInt64})
