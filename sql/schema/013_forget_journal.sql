-- Forgetting takes several statements: a negation for each of the three rollups, the record in
-- forgotten_histories, the rebuilt profiles and product names. Each forget is journaled before the
-- first of them, with each rollup's total over the days its histories' events fall on, and marked
-- finished after the last, so that one cut short (the process killed between two statements) is
-- finished before anything else is written, each negation applied exactly once: a rollup still at its
-- journaled total has not had its negation yet, one at the total less the negation has.
CREATE TABLE IF NOT EXISTS forget_journal
(
    workspace_id        String,
    forget_id           UUID,
    history_ids         Array(String),
    prompt_calls        Int64,
    product_prompts     Int64,
    institution_queries Int64,
    started_at          DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (workspace_id, forget_id);

CREATE TABLE IF NOT EXISTS forget_finished
(
    workspace_id String,
    forget_id    UUID,
    finished_at  DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (workspace_id, forget_id);
