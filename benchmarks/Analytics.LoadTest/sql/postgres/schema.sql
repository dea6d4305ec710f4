-- The same events in PostgreSQL: one row per event, the service's columns (ts for timestamp), a
-- missing product as NULL. Indexes come after the load (indexes.sql), as a bulk load should do it.
SET client_min_messages = warning;
DROP TABLE IF EXISTS events, user_caps, forgotten_histories;
CREATE TABLE events
(
    workspace_id   text           NOT NULL,
    event_id       text           NOT NULL,
    ts             timestamptz    NOT NULL,
    user_id        text           NOT NULL,
    prompt_id      text           NOT NULL,
    product_id     uuid,
    product_name   text           NOT NULL,
    user_email     text           NOT NULL,
    user_fname     text           NOT NULL,
    user_lname     text           NOT NULL,
    user_role      text           NOT NULL,
    account_id     text           NOT NULL,
    institution_id text           NOT NULL,
    instance_name  text           NOT NULL,
    ai_name        text           NOT NULL,
    origin         text           NOT NULL,
    history_id     text           NOT NULL,
    model          text           NOT NULL,
    input_tokens   integer        NOT NULL,
    output_tokens  integer        NOT NULL,
    cost           numeric(18, 9) NOT NULL,
    credits        numeric(18, 6) NOT NULL,
    status         text           NOT NULL,
    latency_ms     integer        NOT NULL,
    ingested_at    timestamptz    NOT NULL DEFAULT now()
);
CREATE TABLE user_caps (workspace_id text, user_id text, cap_limit numeric(18, 6), PRIMARY KEY (workspace_id, user_id));
CREATE TABLE forgotten_histories (workspace_id text, history_id text, PRIMARY KEY (workspace_id, history_id));
