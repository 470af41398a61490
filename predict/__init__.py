"""`hatif predict`, the batch job: streamed inputs (`inputs`), the backends it can run
(`backends`: the rules, a trained model), the job itself (`job`) and its outputs (`outputs`)."""
