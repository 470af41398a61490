"""The joint model: one encoder pass per sentence feeds an IOB2 tagger, a span-pair relation
classifier, a trigger polarity head and a clitic head (does a span start one letter into its word)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, PretrainedConfig, PreTrainedModel
from transformers.utils import ModelOutput

from hatif.data.schema import Schema, load_schema

DISTANCE_BUCKETS = 8  # signed log2 buckets of the token distance between head and tail


class HatifConfig(PretrainedConfig):
    model_type = "hatif"

    def __init__(self, encoder: dict | None = None, schema: dict | None = None,
                 relation_labels: list[str] | None = None, polarity_labels: list[str] | None = None,
                 entity_labels: list[str] | None = None, window: int = 128, stride: int = 32,
                 preprocessing: str | None = None, encoder_name: str | None = None,
                 dropout: float = 0.1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.encoder = encoder or {}
        self.schema = schema or {}
        self.relation_labels = relation_labels or []
        self.polarity_labels = polarity_labels or []
        self.entity_labels = entity_labels or []
        self.window, self.stride = window, stride
        self.preprocessing = preprocessing
        self.encoder_name = encoder_name
        self.dropout = dropout

    @classmethod
    def build(cls, encoder_config: PretrainedConfig, schema: Schema, **kwargs) -> "HatifConfig":
        """Every label map comes from the schema, in its order."""
        tags = schema.bio_labels()
        return cls(encoder=encoder_config.to_dict(),
                   schema={"entity_labels": list(schema.entity_labels),
                           "relations": {k: list(v) for k, v in schema.relations.items()},
                           "relation_head": schema.relation_head, "polarities": list(schema.polarities),
                           "version": schema.version},
                   relation_labels=["none", *schema.relation_labels], polarity_labels=list(schema.polarities),
                   entity_labels=list(schema.entity_labels),
                   id2label=dict(enumerate(tags)), label2id={t: i for i, t in enumerate(tags)}, **kwargs)


@dataclass
class HatifOutput(ModelOutput):
    loss: torch.Tensor | None = None
    tag_logits: torch.Tensor | None = None
    relation_logits: torch.Tensor | None = None
    polarity_logits: torch.Tensor | None = None
    clitic_logits: torch.Tensor | None = None


def distance_bucket(distance: torch.Tensor) -> torch.Tensor:
    """Signed log2 bucket in [0, 2*DISTANCE_BUCKETS]."""
    magnitude = torch.clamp(torch.ceil(torch.log2(distance.abs().float() + 1)), max=DISTANCE_BUCKETS).long()
    return DISTANCE_BUCKETS + torch.sign(distance).long() * magnitude


def _encoder_from_config(config: PretrainedConfig) -> nn.Module:
    """A fresh encoder; BERT-style ones without the pooler, which no head uses."""
    try:
        return AutoModel.from_config(config, add_pooling_layer=False)
    except TypeError:
        return AutoModel.from_config(config)


class HatifModel(PreTrainedModel):
    config_class = HatifConfig
    base_model_prefix = "hatif"

    def __init__(self, config: HatifConfig, encoder: nn.Module | None = None) -> None:
        super().__init__(config)
        enc_cfg = dict(config.encoder)
        self.encoder = encoder or _encoder_from_config(AutoConfig.for_model(**enc_cfg))
        hidden = self.encoder.config.hidden_size
        n_rel, n_ent = len(config.relation_labels), len(config.entity_labels)
        self.dropout = nn.Dropout(config.dropout)
        self.tagger = nn.Linear(hidden, len(config.id2label))
        self.label_embedding = nn.Embedding(n_ent, 32)
        self.distance_embedding = nn.Embedding(2 * DISTANCE_BUCKETS + 1, 32)
        self.relation_mlp = nn.Sequential(nn.Linear(4 * hidden + 64, hidden), nn.GELU(),
                                          nn.Dropout(config.dropout), nn.Linear(hidden, n_rel))
        self.polarity_head = nn.Linear(2 * hidden, len(config.polarity_labels))
        self.clitic_head = nn.Linear(hidden + 32, 2)
        self.post_init()

    @property
    def allowed(self) -> torch.Tensor:
        """allowed[e, r]: can an argument of entity label e take relation r ("none" always can).

        Built from the config on first use, not stored as a buffer: non-persistent buffers are
        not restored when from_pretrained materialises the model."""
        if getattr(self, "_allowed", None) is None:
            cfg = self.config
            allowed = torch.zeros(len(cfg.entity_labels), len(cfg.relation_labels), dtype=torch.bool)
            allowed[:, 0] = True
            for r, rel in enumerate(cfg.relation_labels[1:], start=1):
                for tail in cfg.schema["relations"][rel]:
                    allowed[cfg.entity_labels.index(tail), r] = True
            self._allowed = allowed
        return self._allowed.to(self.device)

    def _init_weights(self, module: nn.Module) -> None:
        if module is self.encoder or any(module is m for m in self.encoder.modules()):
            return  # the encoder initialises itself (or arrives pretrained)
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=0.02)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_index: torch.Tensor) -> torch.Tensor:
        """Encode all windows in one pass, then gather each sentence's tokens: [B, T, H]."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        flat = hidden.reshape(-1, hidden.size(-1))
        gathered = flat[token_index.clamp(min=0)]
        return gathered * (token_index >= 0).unsqueeze(-1).to(gathered.dtype)

    def _span_states(self, seq: torch.Tensor, bounds: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Start and end token states of spans: bounds [B, S, 2] -> two [B, S, H]."""
        index = bounds.clamp(min=0)
        batch = torch.arange(seq.size(0), device=seq.device).unsqueeze(-1)
        return seq[batch, index[..., 0]], seq[batch, index[..., 1]]

    def span_heads(self, seq: torch.Tensor, bounds: torch.Tensor, labels: torch.Tensor):
        """Polarity logits and clitic logits for every span: [B, S, 3], [B, S, 2]."""
        start, end = self._span_states(self.dropout(seq), bounds)
        polarity = self.polarity_head(torch.cat([start, end], -1))
        clitic = self.clitic_head(torch.cat([start, self.label_embedding(labels.clamp(min=0))], -1))
        return polarity, clitic

    def relation_logits(self, seq: torch.Tensor, bounds: torch.Tensor, labels: torch.Tensor,
                        pairs: torch.Tensor) -> torch.Tensor:
        """Logits over ["none", *relations] for (head span, tail span) pairs [B, P, 2] -> [B, P, R]."""
        start, end = self._span_states(self.dropout(seq), bounds)
        batch = torch.arange(seq.size(0), device=seq.device).unsqueeze(-1)
        h, t = pairs[..., 0].clamp(min=0), pairs[..., 1].clamp(min=0)
        tail_labels = labels[batch, t].clamp(min=0)
        distance = bounds[batch, t, 0] - bounds[batch, h, 0]
        features = torch.cat([start[batch, h], end[batch, h], start[batch, t], end[batch, t],
                              self.label_embedding(tail_labels), self.distance_embedding(distance_bucket(distance))], -1)
        logits = self.relation_mlp(features)
        return logits.masked_fill(~self.allowed[tail_labels], torch.finfo(logits.dtype).min)

    def forward(self, input_ids, attention_mask, token_index, tag_labels=None, span_bounds=None,
                span_labels=None, clitic_labels=None, polarity_labels=None, pair_index=None,
                pair_labels=None, **_: object) -> HatifOutput:
        seq = self.encode(input_ids, attention_mask, token_index)
        tag_logits = self.tagger(self.dropout(seq))
        out = HatifOutput(tag_logits=tag_logits)
        if span_bounds is None or span_bounds.size(1) == 0:
            if tag_labels is not None:
                out.loss = nn.functional.cross_entropy(tag_logits.flatten(0, 1), tag_labels.flatten(), ignore_index=-100)
            return out
        out.polarity_logits, out.clitic_logits = self.span_heads(seq, span_bounds, span_labels)
        if pair_index is not None and pair_index.size(1) > 0:
            out.relation_logits = self.relation_logits(seq, span_bounds, span_labels, pair_index)
        if tag_labels is not None:
            ce = nn.functional.cross_entropy
            loss = ce(tag_logits.flatten(0, 1), tag_labels.flatten(), ignore_index=-100)
            for logits, gold in ((out.polarity_logits, polarity_labels), (out.clitic_logits, clitic_labels),
                                 (out.relation_logits, pair_labels)):
                if logits is not None and gold is not None and (gold != -100).any():
                    loss = loss + ce(logits.flatten(0, 1), gold.flatten(), ignore_index=-100)
            out.loss = loss
        return out


def build_model(encoder: nn.Module, schema: Schema | None = None, **config_kwargs) -> HatifModel:
    """A HatifModel around an encoder (pretrained or fresh); heads initialised at random."""
    config = HatifConfig.build(encoder.config, schema or load_schema(), **config_kwargs)
    return HatifModel(config, encoder=encoder)
