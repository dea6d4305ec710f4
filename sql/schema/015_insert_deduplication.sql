-- Each insert of events carries a token (insert_deduplication_token), and the service keeps the block
-- it is inserting on disk until the engine has taken it. One insert writes a part to events and one to
-- each table a view fills, and those parts commit one by one: a process killed in between leaves some
-- tables with the block and some without. Sent again with its token, the block is skipped by the tables
-- that have it and written to those that lack it, so the rollups stay the raw events' sums. The same
-- holds for an insert retried after an error. Each table keeps the ids of its last 1,000 blocks; the
-- block sent again is the last one the service wrote.
-- The window also makes a table drop an insert with no token whose data is the same as a recent one's,
-- so every other statement that writes these tables says insert_deduplicate = 0 (the forget rebuilds).
ALTER TABLE events MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE prompt_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE product_user_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE user_institution_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE user_profiles_sent MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE product_names_sent MODIFY SETTING non_replicated_deduplication_window = 1000;
