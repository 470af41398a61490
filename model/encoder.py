"""Encoders and tokenizers: any hub id or local path, a clear offline error, and the embedded default."""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from transformers import AutoConfig, AutoModel, AutoTokenizer, BertConfig, BertTokenizerFast, PreTrainedTokenizerFast

PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


@contextmanager
def quiet_transformers():
    """Silence transformers' loading bar and load report while hatif loads what it knows how to use:
    an encoder saved with its MLM head has 'unexpected' weights, a fresh task head 'missing' ones."""
    from transformers.utils import logging as hf_logging

    bar, verbosity = hf_logging.is_progress_bar_enabled(), hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bar:
            hf_logging.enable_progress_bar()


class EncoderUnavailable(RuntimeError):
    """The encoder could not be loaded (typically: no network to reach the hub)."""


def hub_unreachable(timeout: float = 3.0) -> str | None:
    """Why the Hugging Face hub cannot be reached (one quick TCP connect), or None when it can.
    Without this check an offline machine spends about a minute in the hub client's retries."""
    import socket
    from urllib.parse import urlparse

    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        socket.create_connection((endpoint.hostname, port), timeout=timeout).close()
    except OSError as err:
        return f"{endpoint.hostname}:{port} is unreachable ({err.strerror or err})"
    return None


def offline_hint(name: str, err: Exception) -> str:
    return (
        f"Could not load the encoder {name!r}: {type(err).__name__}: {err}\n"
        "Without network access, either:\n"
        f"  - pass a local directory: --model /path/to/{name.split('/')[-1]} (a folder saved with "
        "save_pretrained, holding config.json, the weights and the tokenizer files), or\n"
        "  - download it once on a connected machine (huggingface-cli download "
        f"{name}), copy the cache over and point HF_HOME at it, then set HF_HUB_OFFLINE=1, or\n"
        "  - leave out --model to train the embedded default encoder that hatif builds or ships itself."
    )


def load_encoder(name: str, random_init: bool = False):
    """Load (encoder, fast tokenizer) from a hub id or local directory, or raise EncoderUnavailable.
    With ``random_init``, the encoder has the checkpoint's shape and tokenizer but random weights:
    the control that isolates what its pretraining buys."""
    local = {}
    if not Path(name).exists() and not os.environ.get("HF_HUB_OFFLINE"):
        reason = hub_unreachable()
        if reason:  # only the local cache can serve it: ask for that at once, without retries
            local = {"local_files_only": True}
    try:
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(name, **local)
            if random_init:
                encoder = AutoModel.from_config(AutoConfig.from_pretrained(name, **local))
            else:
                encoder = AutoModel.from_pretrained(name, **local)
    except (OSError, ValueError) as err:
        cause = OSError(f"the hub is unreachable ({reason}) and {name!r} is not in the local cache") if local else err
        raise EncoderUnavailable(offline_hint(name, cause)) from err
    if not tokenizer.is_fast:
        raise EncoderUnavailable(f"{name}: hatif needs a fast tokenizer (offset mapping); this one is slow")
    return encoder, tokenizer


def train_wordpiece(texts: Iterable[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """A BERT WordPiece tokenizer trained with `tokenizers` on the given text (no lowercasing:
    Arabic has no case and Latin acronyms keep theirs; accents are kept: diacritics are data)."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False,
                                                strip_accents=False, lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, min_frequency=2)
    tok.train_from_iterator(texts, trainer=trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tok.decoder = decoders.WordPiece()
    return BertTokenizerFast(tokenizer_object=tok, do_lower_case=False, strip_accents=False,
                             tokenize_chinese_chars=False)


def embedded_default(texts: Iterable[str], vocab_size: int, hidden: int, layers: int, heads: int,
                     max_positions: int, seed: int, from_scratch: bool = False,
                     tokenizer: PreTrainedTokenizerFast | None = None, random_init: bool = False):
    """The offline default: the shipped pretrained encoder if there is one (and not
    ``from_scratch``), else a compact BERT initialised at random with a WordPiece vocabulary
    trained on ``texts`` (or the given ``tokenizer``: a resumed run must keep its vocabulary,
    and WordPiece training does not break ties the same way twice). ``random_init``: the shipped
    encoder's shape and tokenizer with random weights."""
    if not from_scratch and (PRETRAINED_DIR / "config.json").is_file():
        return load_encoder(str(PRETRAINED_DIR), random_init)
    tokenizer = tokenizer or train_wordpiece(texts, vocab_size)
    return compact_bert(len(tokenizer), hidden, layers, heads, max_positions, seed=seed), tokenizer


def compact_bert(vocab_size: int, hidden: int, layers: int, heads: int, max_positions: int, *,
                 intermediate: int | None = None, dropout: float = 0.1, seed: int | None = None,
                 head: type | None = None, **config):
    """A BERT of the given shape with random weights, drawn after ``torch.manual_seed(seed)`` when
    a seed is given: the bare encoder (no pooler: nothing reads it), or ``head`` (a BertFor* class)
    on top of it. ``intermediate`` defaults to 4 * hidden; ``config``: further BertConfig fields."""
    import torch
    from transformers import BertModel

    bert_config = BertConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                             num_attention_heads=heads, intermediate_size=intermediate or 4 * hidden,
                             max_position_embeddings=max_positions, hidden_dropout_prob=dropout,
                             attention_probs_dropout_prob=dropout, **config)
    if seed is not None:
        torch.manual_seed(seed)
    return head(bert_config) if head else BertModel(bert_config, add_pooling_layer=False)
