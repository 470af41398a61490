"""Pretraining of the embedded encoder (continued MLM: `run`, `data`, `export`) and its yardstick,
the ANERcorp NER benchmark (`ner_benchmark`)."""
