"""Pretraining data: the corpus read line by line, held-out lines sampled at random, lines tokenised
in chunks into one flat uint16 token file, packed into ~128-token sequences, whole-word masking."""

from __future__ import annotations

import glob
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from hatif.data.jsonl import atomic_writer

log = logging.getLogger("hatif.pretrain")


def expand_corpus(patterns: list[str]) -> list[str]:
    """Glob patterns (or plain paths) to a sorted list of files; a pattern that matches nothing fails."""
    files: list[str] = []
    for pattern in patterns:
        found = sorted(glob.glob(pattern))
        if not found:
            raise FileNotFoundError(f"data.corpus: {pattern!r} matches no file")
        files += [f for f in found if f not in files]
    return files


def iter_lines(files: list[str]) -> Iterator[str]:
    """Every line of the files in order (streamed, stripped); empty lines are kept as '' so that
    line numbers stay stable for the held-out sample."""
    for path in files:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                yield line.strip()


def count_lines(files: list[str]) -> int:
    total = 0
    for path in files:
        with open(path, "rb") as handle:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 22), b""))
    return total


def held_out_lines(n_lines: int, n_eval: int, seed: int) -> set[int]:
    """Indices of the held-out lines: a fixed-seed random sample (the corpus is in source order)."""
    rng = np.random.default_rng(seed)
    return set(rng.choice(n_lines, size=min(n_eval, n_lines), replace=False).tolist())


def split_lines(files: list[str], held: set[int], want_held: bool) -> Iterator[str]:
    """The non-empty training lines (want_held False) or held-out lines (True), streamed."""
    for i, line in enumerate(iter_lines(files)):
        if line and (i in held) == want_held:
            yield line


def continuation_table(tokenizer) -> np.ndarray:
    """Boolean per vocabulary id: True for WordPiece continuation pieces ('##...')."""
    table = np.zeros(len(tokenizer), dtype=bool)
    for token, idx in tokenizer.get_vocab().items():
        table[idx] = token.startswith("##")
    return table


def encode_to_file(lines: Iterable[str], tokenizer, path: Path, chunk_lines: int = 2000) -> int:
    """Tokenise lines in chunks (no special tokens) and append them to a flat uint16 file, a [SEP]
    after each line; returns the number of tokens written."""
    if len(tokenizer) > np.iinfo(np.uint16).max:
        raise ValueError("vocabulary too large for the uint16 token cache")
    sep, backend, total = tokenizer.sep_token_id, tokenizer.backend_tokenizer, 0
    with atomic_writer(path, "wb") as out:
        batch: list[str] = []

        def flush() -> int:
            encodings = backend.encode_batch(batch, add_special_tokens=False)
            flat = [i for enc in encodings for i in (*enc.ids, sep)]
            out.write(np.asarray(flat, dtype=np.uint16).tobytes())
            batch.clear()
            return len(flat)

        for line in lines:
            batch.append(line)
            if len(batch) == chunk_lines:
                total += flush()
        if batch:
            total += flush()
    return total


def pack(ids: np.ndarray, body: int, is_cont: np.ndarray) -> np.ndarray:
    """Cut a flat token stream of consecutive lines into spans of at most ``body`` tokens; a cut is
    moved back so that no word is split between two sequences. Returns (n, 2) [start, end) rows."""
    spans, pos, n = [], 0, len(ids)
    while pos < n:
        end = min(pos + body, n)
        while pos + 1 < end < n and is_cont[ids[end]]:
            end -= 1
        spans.append((pos, end))
        pos = end
    return np.asarray(spans, dtype=np.int64).reshape(-1, 2)


class PackedDataset(Dataset):
    """Packed spans over a memory-mapped token file; items are uint16 arrays without [CLS]/[SEP]."""

    def __init__(self, token_file: Path, body: int, is_cont: np.ndarray) -> None:
        self.ids = np.memmap(token_file, dtype=np.uint16, mode="r")
        self.spans = pack(self.ids, body, is_cont)

    def __len__(self) -> int:
        return len(self.spans)

    def __getitem__(self, i: int) -> np.ndarray:
        start, end = self.spans[i]
        return np.asarray(self.ids[start:end])


def whole_word_mask(input_ids: torch.Tensor, special: torch.Tensor, is_cont: torch.Tensor, mask_id: int,
                    n_special: int, vocab_size: int, prob: float = 0.15,
                    generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Whole-word masking: each word (a piece and its '##' continuations) is chosen with probability
    ``prob``; all of a chosen word's pieces get the same fate (80 % [MASK], 10 % a random token,
    10 % unchanged). Returns (masked ids, labels with -100 on unchosen tokens)."""
    cont = is_cont[input_ids] & ~special
    start = ~cont & ~special
    # word index of every token (continuations share their start's index); specials never chosen
    word = torch.cumsum(start.long(), dim=1)
    shape = (input_ids.shape[0], input_ids.shape[1] + 1)
    u_choose = torch.rand(shape, generator=generator)
    u_action = torch.rand(shape, generator=generator)
    chosen = (u_choose.gather(1, word) < prob) & ~special
    action = u_action.gather(1, word)
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, -100))
    masked = input_ids.clone()
    masked[chosen & (action < 0.8)] = mask_id
    to_random = chosen & (action >= 0.8) & (action < 0.9)
    random_ids = torch.randint(n_special, vocab_size, input_ids.shape, generator=generator)
    masked[to_random] = random_ids[to_random]
    return masked, labels


class MlmCollator:
    """uint16 spans -> [CLS] span [SEP], padded, whole-word masked."""

    def __init__(self, tokenizer, is_cont: np.ndarray, prob: float = 0.15) -> None:
        self.cls, self.sep, self.pad = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
        self.mask = tokenizer.mask_token_id
        self.special_ids = torch.tensor(sorted(tokenizer.all_special_ids))
        self.n_special = int(self.special_ids.max()) + 1
        self.vocab_size = len(tokenizer)
        self.is_cont = torch.from_numpy(is_cont)
        self.prob = prob
        self.tokens = 0  # real (non-pad) tokens collated, for throughput

    def __call__(self, spans: list[np.ndarray], generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        width = max(len(s) for s in spans) + 2
        ids = torch.full((len(spans), width), self.pad, dtype=torch.long)
        for row, span in enumerate(spans):
            ids[row, 0], ids[row, len(span) + 1] = self.cls, self.sep
            ids[row, 1:len(span) + 1] = torch.from_numpy(span.astype(np.int64))
        attention = (ids != self.pad).long()
        self.tokens += int(attention.sum())
        special = torch.isin(ids, self.special_ids)
        masked, labels = whole_word_mask(ids, special, self.is_cont, self.mask, self.n_special,
                                         self.vocab_size, self.prob, generator)
        return {"input_ids": masked, "attention_mask": attention, "labels": labels}


def prepare_corpus(files: list[str], out: Path, vocab_size: int, n_eval: int, seed: int, train_wordpiece):
    """Tokenizer and token cache under ``out`` (built once, reused on resume when the recipe matches).
    Returns (tokenizer, train token file, held-out token file, meta)."""
    from transformers import AutoTokenizer

    recipe = {"files": [str(Path(f).resolve()) for f in files], "vocab_size": vocab_size,
              "eval_lines": n_eval, "seed": seed}
    meta_path, tok_dir = out / "data" / "meta.json", out / "tokenizer"
    train_file, eval_file = out / "data" / "train.u16", out / "data" / "heldout.u16"
    if meta_path.is_file() and (tok_dir / "tokenizer.json").is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("recipe") == recipe:
            log.info("reusing tokenizer and token cache in %s", out)
            return AutoTokenizer.from_pretrained(str(tok_dir)), train_file, eval_file, meta
        raise ValueError(f"{meta_path}: the corpus or vocabulary changed since this run was prepared; "
                         "use a new train.output_dir")
    (out / "data").mkdir(parents=True, exist_ok=True)
    n_lines = count_lines(files)
    held = held_out_lines(n_lines, n_eval, seed)
    log.info("training WordPiece (%d) on %d lines of %d files", vocab_size, n_lines - len(held), len(files))
    tokenizer = train_wordpiece(split_lines(files, held, False), vocab_size)
    tokenizer.model_max_length = 512
    tokenizer.save_pretrained(str(tok_dir))
    n_train = encode_to_file(split_lines(files, held, False), tokenizer, train_file)
    n_held = encode_to_file(split_lines(files, held, True), tokenizer, eval_file)
    meta = {"recipe": recipe, "lines": n_lines, "heldout_lines": len(held), "train_tokens": n_train,
            "heldout_tokens": n_held, "vocab": len(tokenizer)}
    with atomic_writer(meta_path) as handle:
        json.dump(meta, handle, indent=2)
    log.info("token cache: %d training tokens, %d held-out tokens", n_train, n_held)
    return tokenizer, train_file, eval_file, meta
