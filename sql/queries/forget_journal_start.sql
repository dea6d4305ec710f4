INSERT INTO forget_journal (workspace_id, forget_id, history_ids, prompt_calls, product_prompts, institution_queries, started_at)
VALUES ({workspace:String}, {forget_id:UUID}, {ids:Array(String)}, {prompt_calls:Int64}, {product_prompts:Int64}, {institution_queries:Int64}, {now:DateTime64(3, 'UTC')})
