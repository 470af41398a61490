"""`hatif predict`, the batch job: streamed inputs (`inputs`), the backends it can run
(`backends`: the rules, a trained model), the job itself (`job`), its outputs (`outputs`), the shard
of a Slurm array task or torchrun rank (`shards`) and the merge of the shards' outputs (`merge`)."""
