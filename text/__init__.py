"""The Arabic text layer every other package builds on: normalisation and character classes
(`arabic`), the sentence splitter (`sentences`), article layout (`articles`) and date phrases and
their resolution (`dates`). It imports nothing else of hatif."""
