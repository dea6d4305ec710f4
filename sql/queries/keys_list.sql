SELECT id AS Id, workspace_id AS WorkspaceId, key_hash AS KeyHash, scopes AS Scopes, product_id AS ProductId,
       name AS Name, created_at AS CreatedAt, revoked AS Revoked
FROM api_keys FINAL
WHERE workspace_id = {workspace:String}
ORDER BY created_at, id
