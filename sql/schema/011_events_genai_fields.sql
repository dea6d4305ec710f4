-- What OpenTelemetry's GenAI conventions say about a call beyond model and tokens: who served it
-- (provider), what kind of call it was (operation), and the token counts providers bill apart:
-- prompt tokens read from or written to a cache, and reasoning tokens. Events stored before keep the
-- defaults: empty text, zero counts.
ALTER TABLE events
    ADD COLUMN IF NOT EXISTS provider LowCardinality(String) AFTER model,
    ADD COLUMN IF NOT EXISTS operation LowCardinality(String) AFTER provider,
    ADD COLUMN IF NOT EXISTS cache_read_tokens UInt32 AFTER output_tokens,
    ADD COLUMN IF NOT EXISTS cache_creation_tokens UInt32 AFTER cache_read_tokens,
    ADD COLUMN IF NOT EXISTS reasoning_tokens UInt32 AFTER cache_creation_tokens;
