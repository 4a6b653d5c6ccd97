-- The RobustBench-format model card of each evaluated checkpoint (null for rejected rows and for rows
-- evaluated before model cards existed).
ALTER TABLE eval_results ADD COLUMN card_json TEXT;
