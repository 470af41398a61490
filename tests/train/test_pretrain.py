"""Pretraining data and loop (whole-word masking, packing, resume, export) and the ANERcorp reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import BertTokenizerFast

from helpers import fixed_wordpiece
from hatif.train.pretrain.ner_benchmark import align_labels, chunk, dev_split, label_list, read_conll, word_predictions
from hatif.train.pretrain.data import (MlmCollator, PackedDataset, continuation_table, encode_to_file,
                                       expand_corpus, held_out_lines, split_lines, whole_word_mask)

PIECES = ["و", "ب", "ل", "ال", "##ال", "##رئيس", "##سلام", "رئيس", "سلام", "اتصل", "##ت", "##وا", "##ه",
          "مفاوض", "##ات", "قال", "في", "##م", "من", "أ", "##ن", "##ط", "##ون", "##ي"]

# (word, expected WordPiece pieces): clitics و/ب/ل, the article, plural and pronoun suffixes
WORDS = [
    ("والرئيس", ["و", "##ال", "##رئيس"]),
    ("بالسلام", ["ب", "##ال", "##سلام"]),
    ("اتصلوا", ["اتصل", "##وا"]),
    ("اتصلت", ["اتصل", "##ت"]),
    ("مفاوضات", ["مفاوض", "##ات"]),
    ("قال", ["قال"]),
    ("في", ["في"]),
]


@pytest.fixture(scope="module")
def tokenizer() -> BertTokenizerFast:
    return fixed_wordpiece(PIECES)


def test_whole_word_masking_masks_whole_words_only(tokenizer):
    text = " ".join(w for w, _ in WORDS * 3)
    enc = tokenizer([text] * 8, return_tensors="pt")
    ids = enc["input_ids"]
    is_cont = torch.from_numpy(continuation_table(tokenizer))
    special = torch.isin(ids, torch.tensor(tokenizer.all_special_ids))
    word_of = [None] + [i for i, (_, pieces) in enumerate(WORDS * 3) for _ in pieces] + [None]
    seen_partial = seen_masked = 0
    for seed in range(20):
        masked, labels = whole_word_mask(ids, special, is_cont, tokenizer.mask_token_id, 5, len(tokenizer),
                                         prob=0.4, generator=torch.Generator().manual_seed(seed))
        for row in range(ids.shape[0]):
            chosen = (labels[row] != -100).tolist()
            assert not any(c for c, s in zip(chosen, special[row].tolist()) if s), "a special token was chosen"
            by_word: dict[int, set[bool]] = {}
            for pos, w in enumerate(word_of):
                if w is not None:
                    by_word.setdefault(w, set()).add(chosen[pos])
            seen_partial += sum(len(v) > 1 for v in by_word.values())
            seen_masked += sum(v == {True} for v in by_word.values())
            # labels hold the original ids; unchosen tokens are untouched
            assert torch.equal(labels[row][labels[row] != -100], ids[row][labels[row] != -100])
            assert torch.equal(masked[row][labels[row] == -100], ids[row][labels[row] == -100])
    assert seen_partial == 0 and seen_masked > 0


def test_masking_80_10_10(tokenizer):
    ids = torch.full((64, 200), tokenizer.convert_tokens_to_ids("قال"))
    ids[:, 0], ids[:, -1] = tokenizer.cls_token_id, tokenizer.sep_token_id
    special = torch.isin(ids, torch.tensor(tokenizer.all_special_ids))
    is_cont = torch.from_numpy(continuation_table(tokenizer))
    masked, labels = whole_word_mask(ids, special, is_cont, tokenizer.mask_token_id, 5, len(tokenizer), prob=0.15,
                                     generator=torch.Generator().manual_seed(0))
    chosen = labels != -100
    assert 0.13 < chosen.float().mean() < 0.17
    share_mask = (masked[chosen] == tokenizer.mask_token_id).float().mean()
    share_kept = (masked[chosen] == ids[chosen]).float().mean()
    assert 0.75 < share_mask < 0.85 and 0.07 < share_kept < 0.14


def test_corpus_reader_packs_consecutive_lines(tmp_path, tokenizer):
    (tmp_path / "a.txt").write_text("قال الرئيس\nوالرئيس اتصلوا بالسلام\n\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("مفاوضات في السلام\nاتصلت والرئيس\n", encoding="utf-8")
    files = expand_corpus([str(tmp_path / "*.txt")])
    assert [Path(f).name for f in files] == ["a.txt", "b.txt"]
    with pytest.raises(FileNotFoundError):
        expand_corpus([str(tmp_path / "none*.txt")])
    lines = list(split_lines(files, set(), False))
    assert lines == ["قال الرئيس", "والرئيس اتصلوا بالسلام", "مفاوضات في السلام", "اتصلت والرئيس"]
    assert list(split_lines(files, {1}, True)) == ["والرئيس اتصلوا بالسلام"]
    n = encode_to_file(lines, tokenizer, tmp_path / "tokens.u16")
    flat = np.fromfile(tmp_path / "tokens.u16", dtype=np.uint16)
    assert n == len(flat) and (flat == tokenizer.sep_token_id).sum() == len(lines)
    data = PackedDataset(tmp_path / "tokens.u16", 6, continuation_table(tokenizer))
    spans = [data[i] for i in range(len(data))]
    assert np.array_equal(np.concatenate(spans), flat)  # consecutive, nothing lost
    is_cont = continuation_table(tokenizer)
    assert all(len(s) <= 6 and not is_cont[s[0]] for s in spans)  # no word cut between sequences
    batch = MlmCollator(tokenizer, is_cont)(spans[:2])
    assert batch["input_ids"][:, 0].eq(tokenizer.cls_token_id).all()
    assert batch["input_ids"].shape == batch["labels"].shape == batch["attention_mask"].shape


def test_held_out_lines_fixed_seed():
    assert held_out_lines(1000, 20, 13) == held_out_lines(1000, 20, 13)
    assert held_out_lines(1000, 20, 13) != held_out_lines(1000, 20, 14)
    assert len(held_out_lines(10, 50, 1)) == 10


def test_pretrain_two_steps_resumes_and_exports(tmp_path):
    from transformers import AutoModel

    from hatif.train.pretrain.run import load_pretrain_config, pretrain
    from hatif.train.pretrain.export import export_pretrained

    words = [w for w, _ in WORDS] + ["الحكومة", "الوزير", "المدينة", "اليوم", "أمس", "الذي"]
    rng = np.random.default_rng(0)
    (tmp_path / "c.txt").write_text("\n".join(" ".join(rng.choice(words, 12)) for _ in range(60)), encoding="utf-8")
    run = tmp_path / "run"
    args = ["--data.corpus", str(tmp_path / "c.txt"), "--data.eval_lines", "5", "--data.seq_len", "24",
            "--model.vocab_size", "120", "--model.hidden", "32", "--model.layers", "1", "--model.heads", "2",
            "--model.intermediate", "64", "--model.max_positions", "64", "--train.output_dir", str(run),
            "--train.batch_size", "4", "--train.warmup_steps", "1", "--train.eval_steps", "2",
            "--train.save_steps", "2", "--train.logging_steps", "1", "--train.threads", "1"]
    first = pretrain(load_pretrain_config(None, args + ["--train.max_steps", "2"]))
    assert first["global_step"] == 2 and (run / "checkpoints" / "checkpoint-2").is_dir()
    with pytest.raises(ValueError, match="resume"):
        pretrain(load_pretrain_config(None, args + ["--train.max_steps", "3"]))
    second = pretrain(load_pretrain_config(None, args + ["--train.max_steps", "3", "--train.resume", "true"]))
    assert second["global_step"] == 3 and second["run_steps"] == 1
    assert 0 <= second["heldout"]["eval_mlm_accuracy"] <= 1
    assert len((run / "runs.jsonl").read_text().splitlines()) == 2
    assert (run / "learning_curve.png").stat().st_size > 0
    metrics = export_pretrained(run, tmp_path / "exported")
    assert metrics["checkpoint_step"] == 3 and (tmp_path / "exported" / "README.md").is_file()
    assert AutoModel.from_pretrained(str(tmp_path / "exported")).config.hidden_size == 32


def test_compact_bert_is_seeded_and_shaped():
    from transformers import BertForMaskedLM

    from hatif.model.encoder import compact_bert

    one, two = (compact_bert(120, 16, 2, 2, 64, seed=7) for _ in range(2))
    assert one.pooler is None and one.config.intermediate_size == 64  # 4 * hidden
    assert all(torch.equal(a, b) for a, b in zip(one.state_dict().values(), two.state_dict().values()))
    mlm = compact_bert(120, 16, 2, 2, 64, intermediate=24, dropout=0.0, seed=7, head=BertForMaskedLM)
    assert (mlm.config.intermediate_size, mlm.config.attention_probs_dropout_prob) == (24, 0.0)
    assert mlm.bert.pooler is None


def test_pretrain_config_rejects_unknown_option():
    from hatif.train.pretrain.run import load_pretrain_config

    with pytest.raises(ValueError, match="train.nope"):
        load_pretrain_config(None, ["--train.nope", "1"])


CONLL = "فرانكفورت B-LOC\n(د O\nب O\n\n\nقال O\nأنتوني B-PERS\nبلينكن I-PERS\n"


def test_read_conll_sentences(tmp_path):
    path = tmp_path / "ner.txt"
    path.write_text(CONLL, encoding="utf-8")
    sentences = read_conll(path)
    assert sentences == [(["فرانكفورت", "(د", "ب"], ["B-LOC", "O", "O"]),
                         (["قال", "أنتوني", "بلينكن"], ["O", "B-PERS", "I-PERS"])]
    assert label_list(sentences) == ["O", "B-LOC", "I-LOC", "B-PERS", "I-PERS"]


@pytest.mark.parametrize("bad", ["كلمة\n", "كلمة B-PERs\n", "كلمة B-LOC زائد\n"])
def test_read_conll_rejects_malformed_line(tmp_path, bad):
    path = tmp_path / "ner.txt"
    path.write_text("قال O\n\n" + bad, encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}:3"):
        read_conll(path)


@pytest.mark.parametrize("word_ids,labels,expected", [
    ([None, 0, 0, 1, None], [3, 0], [-100, 3, -100, 0, -100]),
    ([None, 0, 1, 1, 1, 2, None], [1, 2, 0], [-100, 1, 2, -100, -100, 0, -100]),
])
def test_align_labels_first_subword(word_ids, labels, expected):
    assert align_labels(word_ids, labels) == expected


def test_word_predictions_and_splits():
    id2label = {0: "O", 1: "B-LOC"}
    assert word_predictions(np.array([0, 1, 0, 0, 0]), [None, 0, 0, 2, None], 3, id2label) == ["B-LOC", "O", "O"]
    sentence = (list("abcde"), ["O"] * 5)
    assert [len(w) for w, _ in chunk(sentence, 2)] == [2, 2, 1]
    data = [([str(i)], ["O"]) for i in range(50)]
    train, dev = dev_split(data, 0.1, 13)
    assert len(dev) == 5 and len(train) == 45 and dev == dev_split(data, 0.1, 13)[1]


def test_predict_sentences_keeps_sentence_order(tokenizer):
    from transformers import BertForTokenClassification

    from hatif.model.encoder import compact_bert
    from hatif.train.pretrain.ner_benchmark import NerBenchConfig, predict_sentences

    model = compact_bert(len(tokenizer), 16, 1, 2, 64, intermediate=32, seed=0, head=BertForTokenClassification,
                         num_labels=3)
    id2label, label2id = {0: "O", 1: "B-LOC", 2: "I-LOC"}, {"O": 0, "B-LOC": 1, "I-LOC": 2}
    words = [w for w, _ in WORDS]
    sentences = [(words[: 1 + i % 7] * (1 + i % 3), ["O"] * ((1 + i % 7) * (1 + i % 3))) for i in range(12)]
    cfg = NerBenchConfig(max_words=5)
    together = predict_sentences(model, sentences, tokenizer, label2id, id2label, cfg, batch_size=4)
    alone = [predict_sentences(model, [s], tokenizer, label2id, id2label, cfg)[0] for s in sentences]
    assert together == alone and [len(p) for p in together] == [len(w) for w, _ in sentences]
