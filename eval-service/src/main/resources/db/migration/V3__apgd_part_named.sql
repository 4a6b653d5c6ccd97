-- Until 2026-12-04 'autoattack-standard' (and '-l2') named AutoAttack's APGD part alone (stages apgd-ce, apgd-t;
-- no square_queries in its settings); since then it is the four attacks RobustBench runs, and the APGD part is
-- 'autoattack-apgd'. A row evaluated before names its headline as what it was. Its result_json and card_json are
-- renamed where they are read (Codec, ModelCard.fromJson), the same rule for every reader of the topic.
UPDATE eval_results
SET attack = 'autoattack-apgd' || substring(attack FROM char_length('autoattack-standard') + 1)
WHERE attack IN ('autoattack-standard', 'autoattack-standard-l2')
  AND result_json IS NOT NULL
  AND COALESCE((result_json::jsonb -> 'attacks' -> attack -> 'settings' ->> 'square_queries')::int, 0) = 0;
