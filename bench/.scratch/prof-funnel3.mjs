import { DuckDBInstance } from '@duckdb/node-api';
const instance = await DuckDBInstance.create('/tmp/bench-an-10m/events.duckdb');
const c = await instance.connect();
const q = `WITH matched AS (SELECT hash("user_id") AS user_key, epoch_ms(ts) AS time, id,
   (CASE WHEN name = 'cart viewed' THEN 1 ELSE 0 END) + (CASE WHEN name = 'checkout started' THEN 2 ELSE 0 END) + (CASE WHEN name = 'order placed' THEN 4 ELSE 0 END) AS steps,
   0 AS exclusions, CAST(json_extract_string(experiments, '/checkout-v2') AS VARCHAR) AS breakdown
   FROM events WHERE project = 'default' AND "user_id" IS NOT NULL AND name IN ('cart viewed', 'checkout started', 'order placed')),
 e AS (SELECT *, row_number() OVER (ORDER BY user_key, time, id) AS seq FROM matched WHERE steps <> 0 OR exclusions <> 0),
 n AS MATERIALIZED (SELECT user_key, seq, time, steps, breakdown,
    min(CASE WHEN steps & 2 <> 0 THEN seq END) OVER after AS next1, min(CASE WHEN steps & 2 <> 0 THEN time END) OVER after AS next1_time,
    min(CASE WHEN steps & 4 <> 0 THEN seq END) OVER after AS next2, min(CASE WHEN steps & 4 <> 0 THEN time END) OVER after AS next2_time
   FROM e WINDOW after AS (PARTITION BY user_key ORDER BY seq DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)),
 a0 AS (SELECT user_key, breakdown, seq AS seq0, time AS t0, time + 3600000 AS deadline, next1, next1_time FROM n WHERE steps & 1 <> 0),
 a1 AS (SELECT a0.*, CASE WHEN next1_time <= deadline THEN next1 END AS seq1, CASE WHEN next1_time <= deadline THEN next1_time END AS t1 FROM a0),
 a2 AS (SELECT a1.*, CASE WHEN m.next2_time <= a1.deadline THEN m.next2 END AS seq2, CASE WHEN m.next2_time <= a1.deadline THEN m.next2_time END AS t2 FROM a1 LEFT JOIN n m ON m.seq = a1.seq1),
 ranked AS (SELECT user_key, arg_max(struct_pack(breakdown := breakdown, reached := (seq1 IS NOT NULL)::INTEGER + (seq2 IS NOT NULL)::INTEGER, times := [t0, t1, t2]), ((seq1 IS NOT NULL)::BIGINT + (seq2 IS NOT NULL)::BIGINT) * 4294967296 - seq0) AS best FROM a2 GROUP BY user_key),
 outcome AS (SELECT user_key, best.breakdown AS breakdown, best.reached AS reached, best.times AS times FROM ranked)
 SELECT breakdown, step, count(*) AS users, bit_xor(user_key)::VARCHAR AS digest,
      median(CASE WHEN step > 0 THEN times[step + 1] - times[step] END) AS median_ms
    FROM (SELECT breakdown, user_key, times, unnest(range(reached + 1)) AS step FROM outcome) GROUP BY breakdown, step`;
for (let i = 0; i < 3; i++) { const t = performance.now(); const r = await c.runAndReadAll(q); console.log((performance.now() - t).toFixed(0), JSON.stringify(r.getRowObjectsJson().map(x=>[x.breakdown,x.step,x.users,x.median_ms]).sort())); }
