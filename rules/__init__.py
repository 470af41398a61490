"""The rule-based extractor: call events from one sentence without machine learning (`extract`),
built from trigger, people, date and topic finders and the role linker, over the word lists in
`lexicon.json` and the names in `resources/gazetteer.json`. Run it as `hatif predict --model rules`."""
