-- Forgets journaled but not marked finished, oldest first; in one workspace, or in all when it is empty.
SELECT workspace_id AS Workspace, forget_id AS Id, history_ids AS Ids,
       prompt_calls AS PromptCalls, product_prompts AS ProductPrompts, institution_queries AS InstitutionQueries
FROM forget_journal
WHERE ({workspace:String} = '' OR workspace_id = {workspace:String})
  AND (workspace_id, forget_id) NOT IN (SELECT workspace_id, forget_id FROM forget_finished)
ORDER BY started_at, forget_id
