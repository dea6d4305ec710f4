SELECT count() > 0
FROM system.tables
WHERE database = currentDatabase() AND name = {table:String} AND match(create_table_query, '\\sTTL\\s')
