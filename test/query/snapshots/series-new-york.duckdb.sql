SELECT ((epoch_ms(created_at) + -18000000) // 86400000) AS d0, count(*) AS m0, count(DISTINCT session_id) AS m1 FROM website_event WHERE website_id = CAST($1 AS UUID) AND created_at BETWEEN CAST($2 AS TIMESTAMP) AND CAST($3 AS TIMESTAMP) AND event_type IN (1, 3, 4) GROUP BY 1
-- params: ["00000000-0000-4000-8000-000000000001","2026-01-01 00:00:00.000","2026-01-31 23:59:59.999"]
