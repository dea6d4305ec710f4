-- What a PostgreSQL schema for these three questions would carry: event ids unique per workspace
-- (the idempotency key), and one index per access path: a template's calls in a window (covering
-- cost), a workspace's window, and the latest attributes of a user or a product.
ALTER TABLE events ADD PRIMARY KEY (workspace_id, event_id);
CREATE INDEX events_prompt ON events (workspace_id, prompt_id, ts) INCLUDE (cost, history_id);
CREATE INDEX events_time ON events (workspace_id, ts);
CREATE INDEX events_user ON events (workspace_id, user_id, ts);
CREATE INDEX events_product ON events (workspace_id, product_id, ts);
