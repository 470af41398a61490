"""The `hatif` command: one entry point, one subcommand per pipeline step."""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, NoReturn, Optional

import typer

from hatif.data.real import Extension
from hatif.data.paths import CORPUS_DIR, GOLD_DIR, REAL_DIR, REAL_SELECTION
from hatif.predict.backends import BackendOptions
from hatif.predict.inputs import InputLimits
from hatif.predict.job import PredictConfig
from hatif.predict.ray_engine import RayOptions

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Find phone-call events (caller, callee, date, topic) in Arabic news.")


# Exit codes of the batch commands (predict, validate, evaluate), stated in --help and the README.
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_ALL_FAILED = 0, 1, 2, 3
EXIT_CODES_HELP = ("Exit status: 0 every input succeeded; 1 some inputs failed; 2 usage error (bad option, "
                   "missing file); 3 every input failed.")


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _batch_exit(total: int, failed: int, allow_failures: bool = False) -> None:
    """Exit with the batch status of ``failed`` of ``total`` inputs (see EXIT_CODES_HELP)."""
    if failed and not allow_failures:
        raise typer.Exit(EXIT_ALL_FAILED if failed == total else EXIT_SOME_FAILED)


@app.command(epilog=EXIT_CODES_HELP)
def validate(files: List[str] = typer.Argument(..., help="Record files (JSON Lines); '-' for stdin.")) -> None:
    """Check record files against the annotation contract; list every violation."""
    from hatif.data.validate import validate_files

    bad = records = lines = 0
    for path in files:
        if path != "-" and not Path(path).is_file():
            _fail(f"{path}: no such file", EXIT_USAGE)
    for record, found in validate_files(files):
        records += record is not None
        lines += 1
        for violation in found:
            typer.echo(str(violation))
        bad += len(found)
    typer.echo(f"{records} valid record(s), {bad} violation(s) in {len(files)} file(s)", err=True)
    if bad:
        raise typer.Exit(EXIT_ALL_FAILED if records == 0 else EXIT_SOME_FAILED)


@app.command()
def stats(files: List[str] = typer.Argument(..., help="Record files."),
          as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text.")) -> None:
    """Counts of sentences, entities, relations, events and sentence lengths."""
    from hatif.data.stats import compute_stats, format_stats
    from hatif.data.validate import RecordError, load_records

    try:
        result = compute_stats(load_records(*files))
    except RecordError as err:
        _fail(str(err))
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_stats(result))


@app.command(name="compile")
def compile_(sources: List[str] = typer.Argument(..., help="`.ann` files or folders of them."),
             out: Optional[Path] = typer.Option(None, help="Write all records to this JSON Lines file."),
             split_file: Optional[Path] = typer.Option(None, help="TSV 'doc_id<TAB>split': write OUT_DIR/<split>/corpus.jsonl."),
             out_dir: Path = typer.Option(CORPUS_DIR, help="Root for --split-file output."),
             articles_dir: Optional[Path] = typer.Option(None, help="Also write each article as a raw .txt here."),
             check: bool = typer.Option(False, "--check", help="Compile and validate only; write nothing.")) -> None:
    """Compile hand-authored articles into validated records (offsets computed, never typed)."""
    from hatif.data.corpus import CorpusError, compile_all, records_by_split, write_texts
    from hatif.data.jsonl import write_jsonl

    articles, problems = compile_all(sources)
    for message in problems:
        typer.echo(message)
    n_records = sum(len(a.records) for a in articles)
    typer.echo(f"{len(articles)} article(s), {n_records} sentence record(s), {len(problems)} violation(s)", err=True)
    if problems:
        raise typer.Exit(1)
    if check:
        return
    if out is not None:
        write_jsonl(out, (r.to_dict() for a in articles for r in a.records))
        typer.echo(f"wrote {out}", err=True)
    if split_file is not None:
        try:
            per_split = records_by_split(articles, split_file)
        except (CorpusError, OSError) as err:
            _fail(str(err))
        for name, rows in per_split.items():
            target = out_dir / name / "corpus.jsonl"
            write_jsonl(target, rows)
            typer.echo(f"wrote {target} ({len(rows)} records)", err=True)
    if articles_dir is not None:
        write_texts(articles, articles_dir)


@app.command()
def split(sources: List[str] = typer.Argument(..., help="`.ann` files or folders of them."),
          out: Path = typer.Option(CORPUS_DIR / "splits.tsv", help="The split file (kept assignments are never moved)."),
          dev_fraction: float = typer.Option(0.15, help="Share of new articles that go to dev."),
          seed: int = typer.Option(13)) -> None:
    """Assign new authored articles to train or dev, by article, keeping every existing assignment."""
    from hatif.data.corpus import CorpusError, compile_all, read_split_file
    from hatif.data.splits import assign_splits, write_split_file

    articles, problems = compile_all(sources)
    if problems:
        _fail("\n".join(problems) + "\nfix the sources first")
    try:
        existing = read_split_file(out) if out.is_file() else {}
    except CorpusError as err:
        _fail(str(err))
    splits = assign_splits(articles, existing, dev_fraction, seed)
    write_split_file(out, splits)
    n_dev = sum(1 for v in splits.values() if v == "dev")
    typer.echo(f"{out}: {len(splits)} articles, {n_dev} dev, {len(splits) - n_dev} train "
               f"({len(splits) - len(existing)} newly assigned)")


@app.command()
def quotas(files: List[str] = typer.Argument(..., help="Train and dev record files (quotas count them together)."),
           readme: Optional[Path] = typer.Option(None, help="Rewrite the quota section of this README (corpus/README.md)."),
           authored: Path = typer.Option(CORPUS_DIR / "authored", help="Where the people.tsv files are.")) -> None:
    """The corpus quota table (and per-split statistics); exits 1 if a quota is not met."""
    from hatif.data.quotas import (find_people_tsvs, format_markdown, format_stats_markdown, quota_table,
                                   write_readme_section)
    from hatif.data.stats import compute_stats
    from hatif.data.validate import RecordError, load_records

    try:
        splits = {Path(f).parent.name or f: load_records(f) for f in files}
    except RecordError as err:
        _fail(str(err))
    rows = quota_table([r for recs in splits.values() for r in recs], find_people_tsvs(authored))
    table = format_markdown(rows)
    typer.echo(table)
    if readme is not None:
        train_recs, dev_recs = splits.get("train", []), splits.get("dev", [])
        write_readme_section(readme, {"Quotas": table,
                                      "Train split": format_stats_markdown(compute_stats(train_recs)),
                                      "Dev split": format_stats_markdown(compute_stats(dev_recs))})
        typer.echo(f"updated {readme}", err=True)
    if not all(row["ok"] for row in rows):
        raise typer.Exit(1)


@app.command()
def protect(gold_dir: Path = typer.Option(GOLD_DIR, help="The gold .ann sources."),
            selection_file: Path = typer.Option(REAL_SELECTION, "--selection", help="The real-news selection."),
            out: Path = typer.Option(Path("data/protected_docs.txt"), help="The shipped list (package data).")) -> None:
    """Write the doc_ids that training refuses (gold and real test) into the package, so that an
    installed hatif refuses them without the corpus beside it (run by make corpus)."""
    from hatif.data.jsonl import atomic_writer
    from hatif.data.training_data import render_protected

    text = render_protected(gold_dir, selection_file)
    with atomic_writer(out) as handle:
        handle.write(text)
    typer.echo(f"{out}: {text.count(chr(10)) - 1} protected doc_id(s)", err=True)


@app.command()
def augment(train: str = typer.Argument(..., help="Training record file."),
            dev: str = typer.Option(..., help="Dev record file (its articles are never used)."),
            out: Path = typer.Option(..., help="Where to write the augmented records."),
            copies: int = typer.Option(1), seed: int = typer.Option(13)) -> None:
    """Mention-swap augmentation of the training split (people, dates with recomputed values, topics)."""
    from hatif.data.augment import augment as run_augment
    from hatif.data.jsonl import write_jsonl
    from hatif.data.training_data import load_training_records

    records = load_training_records(train)
    forbidden = {r.doc_id for r in load_training_records(dev)}
    count = write_jsonl(out, (r.to_dict() for r in run_augment(records, copies, seed, forbidden_doc_ids=forbidden)))
    typer.echo(f"{out}: {count} augmented records from {len(records)}", err=True)


@app.command()
def gazetteer(train: List[str] = typer.Argument(..., help="Training record files (never dev or gold: the guard refuses gold)."),
              out: Optional[Path] = typer.Option(None, help="Where to write it [default: the rules' shipped resources/gazetteer.json].")) -> None:
    """Rebuild the rule extractor's name gazetteer from training records."""
    from hatif.data.training_data import load_training_records
    from hatif.rules.gazetteer import GAZETTEER_PATH, write_gazetteer

    count = write_gazetteer(load_training_records(*train), out or GAZETTEER_PATH)
    typer.echo(f"{out or GAZETTEER_PATH}: {count} names", err=True)


@app.command(epilog="Exit status: 0 scored; 1 a file breaks the record contract or does not fit the gold "
                    "file; 2 usage error (missing file, names that do not match the files).")
def evaluate(gold: str = typer.Option(..., help="Gold record file."),
             pred: List[str] = typer.Option(..., help="Prediction file(s): one per system, or several runs of one."),
             name: Optional[List[str]] = typer.Option(
                 None, help="System names, in --pred order; files given the same name are runs of one system "
                            "(e.g. seeds), shown as mean ± sd."),
             out: Optional[str] = typer.Option(None, help="Write metrics.json, report.md and per_label_f1.png here."),
             errors: bool = typer.Option(False, "--errors", help="List every false positive and negative.")) -> None:
    """Score systems against gold: entity, relation and event F1 side by side."""
    from hatif.eval.report import EvaluationError, UsageError, format_errors, score_files, side_by_side, write_report

    try:
        result = score_files(gold, pred, name or None, with_errors=errors or out is not None,
                             warn=lambda message: typer.echo(f"warning: {message}", err=True))
    except UsageError as err:
        _fail(f"error: {err}", EXIT_USAGE)
    except EvaluationError as err:
        _fail(f"error: {err}")
    typer.echo(side_by_side(result.systems))
    if out is not None:
        try:
            write_report(out, result.systems, result.errors)
        except OSError as err:
            _fail(f"error: cannot write the report to {out}: {err}")
        typer.echo(f"report written to {out}", err=True)
    if errors:
        for run_name, rows in result.errors.items():
            typer.echo(f"\n== errors of {run_name}: {len(rows)} ==")
            typer.echo(format_errors(rows))


def _train_epilog() -> str:
    from hatif.train.config import RUN_SECTIONS, describe_options

    # \b keeps click from rewrapping the list into one paragraph
    return "Config options (config file keys, or --section.key VALUE on the command line):\n\n\b\n" + \
        describe_options(RUN_SECTIONS)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True}, epilog=_train_epilog())
def train(ctx: typer.Context,
          config: Optional[Path] = typer.Option(None, help="YAML/JSON run configuration (configs/*.yaml)."),
          model: Optional[str] = typer.Option(None, help="Encoder: hub id or local dir (shortcut for --model.encoder)."),
          output_dir: Optional[str] = typer.Option(None, help="Shortcut for --train.output_dir.")) -> None:
    """Fine-tune the joint model; other options as --section.key value (e.g. --train.epochs 3)."""
    from hatif.model.encoder import EncoderUnavailable
    from hatif.train.config import load_config

    overrides = list(ctx.args)
    if model:
        overrides += ["--model.encoder", model]
    if output_dir:
        overrides += ["--train.output_dir", output_dir]
    try:
        run_config = load_config(config, overrides)
    except (ValueError, OSError) as err:
        _fail(f"configuration: {err}", 2)
    from hatif.data.training_data import GoldDataError
    from hatif.data.validate import RecordError
    from hatif.train.run import train as run_training

    try:
        metrics = run_training(run_config)
    except (EncoderUnavailable, GoldDataError, RecordError, FileNotFoundError) as err:
        _fail(str(err))
    if int(os.environ.get("RANK", "0")) == 0:  # under torchrun/accelerate every process returns the metrics
        typer.echo(json.dumps(metrics, indent=2))
        typer.echo(f"model saved to {Path(run_config.train.output_dir) / 'model'}", err=True)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def pretrain(ctx: typer.Context,
             config: Optional[Path] = typer.Option(Path("configs/pretrain.yaml"), help="YAML/JSON pretraining configuration."),
             export_to: Optional[Path] = typer.Option(None, help="After the run, export the last checkpoint here (model/pretrained)."),
             export_only: bool = typer.Option(False, "--export-only", help="Export the last checkpoint without training.")) -> None:
    """Masked-LM pretraining of the compact Arabic BERT; options as --section.key value (e.g. --train.resume true)."""
    from hatif.train.pretrain.run import load_pretrain_config

    try:
        run_config = load_pretrain_config(config, list(ctx.args))
    except (ValueError, OSError) as err:
        _fail(f"configuration: {err}", 2)
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    from hatif.train.pretrain.run import pretrain as run_pretraining
    from hatif.train.pretrain.export import export_pretrained

    try:
        if not export_only:
            summary = run_pretraining(run_config)
            typer.echo(json.dumps({k: v for k, v in summary.items() if k not in ("config", "corpus")}, indent=2))
        if export_to or export_only:
            target = export_to or Path("model/pretrained")
            export_pretrained(Path(run_config.train.output_dir), target)
            typer.echo(f"exported to {target}", err=True)
    except (ValueError, FileNotFoundError) as err:
        _fail(str(err))


@app.command(name="ner-benchmark")
def ner_benchmark(encoder: Optional[str] = typer.Option(None, help="Hub id or local dir of the encoder [default: model/pretrained]."),
                  random_init: Optional[bool] = typer.Option(None, "--random-init", help="Same shape and tokenizer, random weights."),
                  train_file: Optional[str] = typer.Option(None, help="CoNLL train file [default: the CAMeL Lab train split under $HATIF_SHARED]."),
                  test_file: Optional[str] = typer.Option(None, help="CoNLL test file [default: the CAMeL Lab test split]."),
                  out: Optional[str] = typer.Option(None, help="Where metrics.json and the log go [default: runs/ner_benchmark/pretrained]."),
                  epochs: Optional[float] = typer.Option(None), batch_size: Optional[int] = typer.Option(None),
                  learning_rate: Optional[float] = typer.Option(None), seed: Optional[int] = typer.Option(None),
                  threads: Optional[int] = typer.Option(None, help="torch CPU threads (0: torch's default).")) -> None:
    """Fine-tune a token classifier on ANERcorp (CAMeL Lab train, 10 % dev) and report seqeval F1 on its test split.
    Options left out take NerBenchConfig's defaults."""
    from hatif.train.pretrain.ner_benchmark import NerBenchConfig, format_table, run_benchmark

    given = {"encoder": encoder, "random_init": random_init, "train_file": train_file, "test_file": test_file,
             "output_dir": out, "epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate,
             "seed": seed, "threads": threads}
    try:
        metrics = run_benchmark(NerBenchConfig(**{k: v for k, v in given.items() if v is not None}))
    except (ValueError, OSError) as err:
        _fail(str(err))
    typer.echo(format_table(metrics))
    typer.echo(f"micro F1 {metrics['micro_f1']:.4f} (strict IOB2), {metrics['micro_f1_conlleval']:.4f} (conlleval-style); "
               f"dev {metrics['dev_micro_f1']:.4f}; {out}/metrics.json", err=True)


# Option defaults come from the dataclasses the job reads (never repeated here).
_PREDICT, _RAY = PredictConfig(), RayOptions()


class Engine(str, Enum):
    local = "local"  # this process: job.run_predict
    ray = "ray"  # a pool of Ray Data actors: ray_engine.run_predict_ray


@app.command(epilog=EXIT_CODES_HELP + " An input is a document (an article, a JSON line) or, with "
                    "--records, a record. --allow-failures keeps 0 when some fail.")
def predict(inputs: Optional[List[str]] = typer.Argument(None, help="Articles: .txt files, folders of them (recursive), "
                                                          "JSON Lines of {doc_id, text, doc_date}; '-' for stdin."),
            model: str = typer.Option(..., help="Trained model directory (OUTPUT_DIR/model), or 'rules' for the baseline."),
            out: Path = typer.Option(..., help="Output records (JSON Lines), appended one whole document at a time; "
                                     "{shard} in OUT, --events and --errors becomes the shard index."),
            records: Optional[List[str]] = typer.Option(None, help="Annotation records instead of articles: each text "
                                                        "is one sentence and keeps its id (for `hatif evaluate`)."),
            events: Optional[Path] = typer.Option(None, help="Also write one event per TRIGGER here; confidence = "
                                                  "P(polarity) x mean relation score (null for rules)."),
            errors: Optional[Path] = typer.Option(None, help="Per-input errors and warnings (default: OUT with .errors.jsonl for .jsonl)."),
            num_shards: Optional[int] = typer.Option(None, min=1, help="Split the documents into this many shards (crc32 "
                                                     "of doc_id). Without it and --shard-index, a Slurm array task "
                                                     "(SLURM_ARRAY_TASK_ID) or torchrun rank (RANK) takes its own shard."),
            shard_index: Optional[int] = typer.Option(None, min=0, help="The shard this run predicts (with --num-shards)."),
            resume: bool = typer.Option(False, "--resume", help="Keep complete documents already in --out; append the rest."),
            batch_size: int = typer.Option(_PREDICT.backend.batch_size, min=1, help="Sentences per encoder batch."),
            quantize: Optional[str] = typer.Option(None, help="'int8': dynamic int8 quantisation of nn.Linear (CPU)."),
            threads: int = typer.Option(0, min=0, help="torch CPU threads (0: torch's default)."),
            show_calls: bool = typer.Option(False, "--show-calls", help="Print the calls found (needs --events)."),
            doc_date: Optional[str] = typer.Option(None, help="Publication date YYYY-MM-DD for every document that "
                                                   "has none (no date line, no doc_date field): resolves أمس، الخميس."),
            max_article_chars: int = typer.Option(_PREDICT.limits.max_article_chars, min=1, help="A longer article is reported and skipped."),
            doc_timeout: float = typer.Option(_PREDICT.limits.doc_timeout, min=0, help="Seconds one document may take to read, split and "
                                              "predict before it is reported and skipped (0: no limit)."),
            allow_failures: bool = typer.Option(False, "--allow-failures", help="Exit 0 even when some inputs failed."),
            engine: Engine = typer.Option(Engine.local, help="'local': this process; 'ray': a pool of Ray Data actors "
                                          "(pip install \"hatif[ray]\"), the same output."),
            ray_address: Optional[str] = typer.Option(_RAY.address, help="--engine ray: a running cluster ('auto', "
                                                      "'ray://HOST:10001'); default: start a local one."),
            ray_actors: int = typer.Option(_RAY.actors, min=0, help="--engine ray: model replicas (0: one per CPU of "
                                           "the cluster); each gets CPUs/actors torch threads."),
            quiet: bool = typer.Option(False, "--quiet", help="No progress bar (it is shown only on a terminal anyway).")) -> None:
    """Predict call events in articles or records; a bad input is reported and skipped, never fatal.

    A .txt article is: a headline line, optionally a date line (21 أكتوبر 2022, or القاهرة، 14 مارس 2023),
    then one paragraph per line. JSON Lines inputs give {"doc_id", "text", "doc_date"}."""
    from hatif.data.validate import is_iso_day
    from hatif.predict.inputs import check_inputs
    from hatif.predict.job import run_predict
    from hatif.predict.shards import DEFAULT, ShardError, pick_shard, shard_path

    if bool(inputs) == bool(records):
        _fail("give either INPUT... (articles) or --records FILE... (annotation records)", 2)
    if show_calls and events is None:
        _fail("--show-calls prints the --events file: give --events FILE", 2)
    if doc_date is not None and not is_iso_day(doc_date):
        _fail(f"--doc-date {doc_date!r}: give an ISO day YYYY-MM-DD", EXIT_USAGE)
    if engine is Engine.local and (ray_address or ray_actors):
        _fail("--ray-address and --ray-actors go with --engine ray", EXIT_USAGE)
    if engine is Engine.ray and threads:
        _fail("--threads is for --engine local: each Ray actor gets the cluster's CPUs / actors threads", EXIT_USAGE)
    problems = check_inputs(inputs or records, records_mode=bool(records))
    if problems:
        _fail("\n".join(problems), EXIT_USAGE)
    try:
        shard = pick_shard(num_shards, shard_index, os.environ)
    except ShardError as err:
        _fail(f"predict: {err}", EXIT_USAGE)
    if shard.source != DEFAULT:
        typer.echo(shard.message, err=True)
    out, events, errors = (None if path is None else shard_path(path, shard) for path in (out, events, errors))
    if threads:
        import torch

        torch.set_num_threads(threads)
    try:
        config = PredictConfig(records_mode=bool(records), events=events, errors=errors, num_shards=shard.num_shards,
                               shard_index=shard.shard_index, resume=resume,
                               backend=BackendOptions(batch_size=batch_size, quantize=quantize),
                               limits=InputLimits(max_article_chars=max_article_chars, doc_date=doc_date,
                                                  doc_timeout=doc_timeout),
                               progress=not quiet and sys.stderr.isatty())
        if engine is Engine.ray:
            from hatif.predict.ray_engine import run_predict_ray

            summary = run_predict_ray(list(inputs or records), out, model, config,
                                      ray_options=RayOptions(address=ray_address, actors=ray_actors))
        else:
            summary = run_predict(list(inputs or records), out, model, config)
    except (ValueError, OSError, ImportError) as err:
        _fail(f"predict: {err}", EXIT_USAGE)
    if show_calls:
        _print_calls(events, all_polarities=True)
    _batch_exit(summary.units_in, summary.failed, allow_failures)


@app.command(epilog="Exit status: 0 merged; 1 a part is torn, not `hatif predict` output, holds a document "
                    "another part holds too, or (with --inputs/--records) lacks a document of them; 2 usage error.")
def merge(parts: List[Path] = typer.Argument(..., help="The outputs of the shards of one `hatif predict` run."),
          out: Path = typer.Option(..., help="The merged records; the parts' errors files (PART.errors.jsonl) are "
                                   "merged into OUT's."),
          inputs: Optional[List[str]] = typer.Option(None, "--inputs", help="The articles the parts were predicted "
                                                     "from, as given to hatif predict (repeat for more): merge in "
                                                     "their order and check that none is lost. Default: by doc_id."),
          records: Optional[List[str]] = typer.Option(None, help="Instead: the annotation records they were "
                                                      "predicted from (hatif predict --records)."),
          events: Optional[Path] = typer.Option(None, help="Also write the events of the merged records here.")) -> None:
    """Merge the parts of a sharded `hatif predict` into the bytes one unsharded run writes."""
    from hatif.predict.inputs import check_inputs
    from hatif.predict.merge import MergeError, merge as merge_parts

    if inputs and records:
        _fail("give --inputs (articles) or --records, not both", EXIT_USAGE)
    problems = [f"{part}: no such file" for part in parts if not part.is_file()]
    problems += check_inputs(inputs or records or [], records_mode=bool(records))
    if problems:
        _fail("\n".join(problems), EXIT_USAGE)
    try:
        summary = merge_parts(parts, out, inputs or records, records_mode=bool(records), events=events)
    except MergeError as err:
        _fail(f"merge: {err}")
    except OSError as err:
        _fail(f"merge: {err}", EXIT_USAGE)
    typer.echo(summary.line(), err=True)


def _print_calls(events: Path, all_polarities: bool) -> None:
    shown = 0
    for line in events.read_text(encoding="utf-8").splitlines():
        call = json.loads(line)
        if not (call["caller"] or call["callee"]) or (call["polarity"] != "asserted" and not all_polarities):
            continue
        names = {role: "، ".join(arg["text"] for arg in call[role]) or "?" for role in ("caller", "callee")}
        dates = "، ".join(f"{d['text']} ({d.get('value')})" for d in call["date"]) or "-"
        topics = " | ".join(t["text"] for t in call["topic"]) or "-"
        confidence = "" if call.get("confidence") is None else f"  p={call['confidence']:.2f}"
        typer.echo(f"{call['sentence_id']}  [{call['polarity']}]  {names['caller']} -> {names['callee']}"
                   f"  date: {dates}  topic: {topics}{confidence}")
        shown += 1
    typer.echo(f"{shown} call(s) with a caller or callee", err=True)


@app.command()
def calls(events: Path = typer.Argument(..., help="An events file written by `hatif predict --events`."),
          all_polarities: bool = typer.Option(False, "--all", help="Also negated and hypothetical calls.")) -> None:
    """Print the calls of an events file, one line each: who called whom, when, about what."""
    if not events.is_file():
        _fail(f"{events}: no such file", 2)
    _print_calls(events, all_polarities)


@app.command(epilog="Exit status: 0 written; 1 a record breaks the contract or an article is in two splits; "
                    "2 usage error (a missing file, a target that is not a previous export).")
def export(hf: Path = typer.Option(..., "--hf", help="Write every split here as a Hugging Face DatasetDict "
                                   "(save_to_disk) with a dataset card, README.md; a previous export is replaced."),
           train: Path = typer.Option(CORPUS_DIR / "train" / "corpus.jsonl", help="Authored training records."),
           dev: Path = typer.Option(CORPUS_DIR / "dev" / "corpus.jsonl", help="Authored dev records."),
           gold: Path = typer.Option(GOLD_DIR / "seed_articles.jsonl", help="Gold records (reporting only)."),
           real_build: Path = typer.Option(REAL_DIR / "build", help="Where `hatif real build` wrote <split>/corpus.jsonl."),
           no_real: bool = typer.Option(False, "--no-real", help="Leave the real-news splits out (no shared corpus at hand)."),
           real_readme: Path = typer.Option(REAL_DIR / "README.md", help="The real-news README: its licences and "
                                            "citations go into the card.")) -> None:
    """Export every split as a Hugging Face dataset: open it with datasets.load_from_disk(DIR)."""
    from hatif.data.hf import ExportSources, export_hf

    sources = ExportSources(train=train, dev=dev, gold=gold, real_build=None if no_real else real_build,
                            real_readme=real_readme)
    try:
        splits = export_hf(hf, sources)
    except (FileNotFoundError, FileExistsError) as err:
        _fail(str(err), EXIT_USAGE)
    except ValueError as err:  # RecordError, ExportError
        _fail(str(err))
    for name, ds in splits.items():
        typer.echo(f"{name}: {len(ds)} records, {len(set(ds['doc_id']))} articles")
    typer.echo(f"wrote {hf}", err=True)


real_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Real news annotated as standoff (corpus/real): select, export, import, build.")
app.add_typer(real_app, name="real")
_REAL = REAL_DIR
# Options every `hatif real` command shares (typer option objects can be reused as defaults).
_STANDOFF = typer.Option(_REAL / "standoff", help="The standoff annotation folder.")
_SELECTION = typer.Option(_REAL / "selection.tsv", "--selection", help="The selection file.")
_AUTHORED_TRAIN = typer.Option(CORPUS_DIR / "train" / "corpus.jsonl", help="Authored training records: articles "
                               "sharing an 8-word run with them go to train.")
_CORPUS = typer.Option(None, help="call_articles folder (default $HATIF_SHARED/corpora/call_articles).")
_EXTENSION = Extension()  # the defaults of `real extend`


def _call_articles(corpus_dir: Optional[Path]) -> dict:
    from hatif.data.real import call_articles_dir, load_call_articles

    try:
        return load_call_articles(corpus_dir or call_articles_dir())
    except (OSError, ValueError) as err:
        _fail(str(err), 2)


def _authored_ngrams(authored_train: Path) -> set:
    from hatif.text.arabic import word_ngrams
    from hatif.data.validate import load_records

    return set().union(*(word_ngrams(r.text) for r in load_records(str(authored_train))))


@real_app.command("select")
def real_select(total: int = typer.Option(330, help="Articles to select."),
                seed: int = typer.Option(2015),
                strong: float = typer.Option(0.65), weak: float = typer.Option(0.20), none: float = typer.Option(0.15),
                test: float = typer.Option(0.22, help="Share of each stratum for the test split (before shared-text grouping)."),
                dev: float = typer.Option(0.20, help="Share of each stratum for the dev split (before shared-text grouping)."),
                max_sentences: int = typer.Option(40, help="Longer articles are cut after the last call paragraph + 2."),
                corpus_dir: Optional[Path] = _CORPUS,
                authored_train: Path = _AUTHORED_TRAIN,
                out: Path = typer.Option(_REAL / "selection.tsv")) -> None:
    """Seeded selection of real articles by call cue, corpus and outlet, split by article."""
    from hatif.data.real import select_articles, write_selection

    rows = select_articles(_call_articles(corpus_dir), total, {"strong": strong, "weak": weak, "none": none}, seed,
                           {"test": test, "dev": dev}, max_sentences, _authored_ngrams(authored_train))
    header = (f"hatif real select --total {total} --seed {seed} --strong {strong} --weak {weak} --none {none} "
              f"--test {test} --dev {dev} --max-sentences {max_sentences} --authored-train {authored_train}")
    write_selection(out, rows, header)
    typer.echo(f"{out}: {len(rows)} articles, {sum(r.sentences for r in rows)} sentences", err=True)


@real_app.command("extend")
def real_extend(cued: int = typer.Option(_EXTENSION.cued, help="Articles whose call sentences carry a negation or plan cue."),
                unreached: int = typer.Option(_EXTENSION.unreached, help="Articles of any cue with a call not made, not answered or to come."),
                dense: int = typer.Option(_EXTENSION.dense, help="Articles of --dense-cues, densest in call sentences first."),
                dense_cues: str = typer.Option(",".join(_EXTENSION.dense_cues), help="Call cues the dense stratum takes (comma-separated)."),
                single: int = typer.Option(_EXTENSION.single, help="Articles with one call sentence, shortest first."),
                seed: int = typer.Option(2018),
                test: float = typer.Option(0.28, help="Share of each new stratum for test (before shared-text grouping)."),
                dev: float = typer.Option(0.20, help="Share of each new stratum for dev (before shared-text grouping)."),
                max_sentences: int = typer.Option(30, help="Longer articles are cut after the last call paragraph + 2."),
                corpus_dir: Optional[Path] = _CORPUS,
                authored_train: Path = _AUTHORED_TRAIN,
                selection_file: Path = _SELECTION) -> None:
    """Add call-rich articles to the selection; the articles already there keep their split."""
    from hatif.data.real import extend_selection, read_selection, selection_commands, write_selection

    existing = read_selection(selection_file)
    wanted = Extension(cued, unreached, dense, tuple(dense_cues.split(",")), single)
    rows, offered = extend_selection(_call_articles(corpus_dir), existing, wanted, seed, {"test": test, "dev": dev},
                                     max_sentences, _authored_ngrams(authored_train))
    command = (f"hatif real extend --cued {cued} --unreached {unreached} --dense {dense} --dense-cues {dense_cues} "
               f"--single {single} --seed {seed} --test {test} --dev {dev} --max-sentences {max_sentences} "
               f"--authored-train {authored_train}")
    write_selection(selection_file, rows, "\n".join(selection_commands(selection_file) + [command]))
    added = len(rows) - len(existing)
    typer.echo(f"{selection_file}: {added} articles added ({offered - added} of {offered} dropped: their text "
               f"joins two splits), {len(rows)} in all", err=True)


@real_app.command("export")
def real_export(doc_ids: Optional[List[str]] = typer.Argument(None, help="Articles to export (default: every selected one)."),
                out_dir: Path = typer.Option(Path("runs/real_ann"), help="Where the .ann files go (never commit them: they hold the article text)."),
                standoff_dir: Path = _STANDOFF, selection_file: Path = _SELECTION,
                corpus_dir: Optional[Path] = _CORPUS,
                overwrite: bool = typer.Option(False, "--overwrite", help="Replace .ann files that exist."),
                blank: bool = typer.Option(False, "--blank", help="Without any annotation, even where there is "
                                           "standoff: for a second, blind annotator.")) -> None:
    """Write selected articles as .ann files: marked up from their standoff if annotated, else blank."""
    from hatif.data.jsonl import atomic_writer
    from hatif.data.real import article_to_ann, read_selection, read_standoff, standoff_path

    articles = _call_articles(corpus_dir)
    selection = {s.doc_id: s for s in read_selection(selection_file)}
    wanted = doc_ids or sorted(selection)
    unknown = [d for d in wanted if d not in selection]
    if unknown:
        _fail(f"{selection_file}: not selected: {', '.join(unknown)}", 2)
    written = kept = 0
    for doc_id in wanted:
        target = out_dir / f"{doc_id}.ann"
        if target.exists() and not overwrite:
            kept += 1
            continue
        path = standoff_path(standoff_dir, doc_id)
        standoff = read_standoff(path) if path.is_file() and not blank else None
        with atomic_writer(target) as handle:
            handle.write(article_to_ann(articles[doc_id], selection[doc_id].paragraphs, standoff))
        written += 1
    typer.echo(f"{out_dir}: {written} written, {kept} kept (exist; --overwrite replaces them)", err=True)


@real_app.command("import")
def real_import(sources: List[str] = typer.Argument(..., help="Annotated .ann files or folders of them."),
                annotator: str = typer.Option(..., help="Who annotated them (kept in the standoff)."),
                standoff_dir: Path = _STANDOFF, selection_file: Path = _SELECTION,
                corpus_dir: Optional[Path] = _CORPUS,
                check: bool = typer.Option(False, "--check", help="Validate only; write nothing.")) -> None:
    """Compile annotated .ann articles, check them against the corpus text and write their standoff."""
    from hatif.data.authoring import find_sources
    from hatif.data.jsonl import write_json
    from hatif.data.real import import_ann, read_selection, standoff_path

    articles = _call_articles(corpus_dir)
    selection = {s.doc_id: s for s in read_selection(selection_file)}
    done = bad = 0
    for path in find_sources(sources):
        standoff, violations = import_ann(path, articles, selection, annotator)
        for violation in violations:
            typer.echo(str(violation))
        bad += len(violations)
        if standoff is not None:
            done += 1
            if not check:
                write_json(standoff_path(standoff_dir, standoff["doc_id"]), standoff)
    typer.echo(f"{done} article(s) {'checked' if check else 'imported'}, {bad} violation(s)", err=True)
    if bad:
        raise typer.Exit(1)


@real_app.command("build")
def real_build(out_dir: Path = typer.Option(_REAL / "build", help="Writes OUT_DIR/<split>/corpus.jsonl (git-ignored: it holds the text)."),
               standoff_dir: Path = _STANDOFF, selection_file: Path = _SELECTION,
               corpus_dir: Optional[Path] = _CORPUS,
               allow_missing: bool = typer.Option(False, "--allow-missing", help="Build even if some selected articles have no standoff yet.")) -> None:
    """Materialise the real train/dev/test records from standoff and the corpus; a changed text fails loudly."""
    from hatif.data.jsonl import write_jsonl
    from hatif.data.real import StandoffError, build_split_records, read_selection

    articles = _call_articles(corpus_dir)
    try:
        per_split, missing = build_split_records(read_selection(selection_file), standoff_dir, articles)
    except StandoffError as err:
        _fail(str(err))
    if missing and not allow_missing:
        _fail(f"{len(missing)} selected article(s) have no standoff in {standoff_dir} "
              f"(first: {missing[0]}); annotate them or pass --allow-missing")
    for split, records in per_split.items():
        target = out_dir / split / "corpus.jsonl"
        write_jsonl(target, (r.to_dict() for r in records))
        typer.echo(f"wrote {target} ({len(records)} records, {len({r.doc_id for r in records})} articles)", err=True)


@real_app.command("quotas")
def real_quotas(build_dir: Path = typer.Option(_REAL / "build", help="Where `hatif real build` wrote <split>/corpus.jsonl."),
                selection_file: Path = _SELECTION,
                readme: Optional[Path] = typer.Option(None, help="Rewrite the quota section of this README (corpus/real/README.md).")) -> None:
    """The floors of the real set (articles, sentences, calls, negatives, splits); exits 1 if one is not met."""
    from hatif.data.quotas import format_markdown, format_stats_markdown, real_quota_table, write_readme_section
    from hatif.data.real import SPLITS, read_selection
    from hatif.data.stats import compute_stats
    from hatif.data.validate import RecordError, load_records

    selection = read_selection(selection_file)
    files = {split: build_dir / split / "corpus.jsonl" for split in SPLITS}
    absent = [str(p) for p in files.values() if not p.is_file()]
    if absent:
        _fail(f"{', '.join(absent)}: not built; run `hatif real build` (make corpus)", 2)
    try:
        per_split = {split: load_records(str(path)) for split, path in files.items()}
    except RecordError as err:
        _fail(str(err))
    rows = real_quota_table(per_split, {s.doc_id: s.cue for s in selection}, len(selection))
    table = format_markdown(rows)
    typer.echo(table)
    if readme is not None:
        sections = {"Quotas": table}
        sections.update({f"{split.capitalize()} split": format_stats_markdown(compute_stats(recs))
                         for split, recs in per_split.items()})
        write_readme_section(readme, sections)
        typer.echo(f"updated {readme}", err=True)
    if not all(row["ok"] for row in rows):
        raise typer.Exit(1)


@real_app.command("agreement")
def real_agreement(second_dir: Path = typer.Option(_REAL / "agreement" / "second", help="The second, blind annotation's standoff."),
                   standoff_dir: Path = typer.Option(_REAL / "standoff", help="The first annotation's standoff."),
                   selection_file: Path = _SELECTION, corpus_dir: Optional[Path] = _CORPUS,
                   out_dir: Path = typer.Option(Path("runs/agreement"), help="Writes first.jsonl and second.jsonl here.")) -> None:
    """Materialise both annotations of the doubly annotated articles; score them with
    `hatif evaluate --gold OUT/first.jsonl --pred OUT/second.jsonl`."""
    from hatif.data.jsonl import write_jsonl
    from hatif.data.real import StandoffError, build_split_records, read_selection

    articles = _call_articles(corpus_dir)
    both = {p.stem for p in second_dir.glob("*.json")} & {p.stem for p in standoff_dir.glob("*.json")}
    selection = [s for s in read_selection(selection_file) if s.doc_id in both]
    if not selection:
        _fail(f"no article has standoff in both {standoff_dir} and {second_dir}", EXIT_USAGE)
    for name, folder in (("first", standoff_dir), ("second", second_dir)):
        try:
            per_split, _ = build_split_records(selection, folder, articles)
        except StandoffError as err:
            _fail(str(err))
        records = sorted((r for recs in per_split.values() for r in recs), key=lambda r: r.id)
        write_jsonl(out_dir / f"{name}.jsonl", (r.to_dict() for r in records))
        typer.echo(f"wrote {out_dir / name}.jsonl ({len(records)} records, {len(selection)} articles)", err=True)


@app.command(epilog="Exit status: 0 written; 1 a file breaks the record contract or does not fit the gold "
                    "file; 2 usage error (missing file, unknown article, --errors-only without --gold).")
def show(records: str = typer.Argument(..., help="Records to show: predictions, or any record file (gold too)."),
         gold: Optional[str] = typer.Option(None, help="Gold records: mark every span and arc correct, missed, "
                                                        "spurious or wrong-label, with counts."),
         errors_only: bool = typer.Option(False, "--errors-only", help="Only the sentences with errors (needs --gold)."),
         doc: Optional[List[str]] = typer.Option(None, "--doc", help="Only this article (doc_id); repeat for more."),
         out: Path = typer.Option(..., help="The HTML file to write (self-contained: open it in any browser).")) -> None:
    """An RTL HTML view of the calls: spans by label, relations as arcs, errors against gold marked."""
    from hatif.data.validate import RecordError
    from hatif.eval.report import UsageError
    from hatif.show.diff import scores
    from hatif.show.page import show_files

    for path in [records, gold]:
        if path is not None and not Path(path).is_file():
            _fail(f"{path}: no such file", EXIT_USAGE)
    if errors_only and gold is None:
        _fail("--errors-only needs --gold", EXIT_USAGE)
    try:
        view = show_files(records, out, gold, doc, errors_only)
    except RecordError as err:
        _fail(str(err))
    except UsageError as err:
        _fail(f"show: {err}", EXIT_USAGE)
    except ValueError as err:
        _fail(f"show: {err}")
    except OSError as err:
        _fail(f"show: cannot write {out}: {err}")
    summary = f"{len(view.articles)} article(s), {view.shown_sentences} sentence(s)"
    if view.compared:
        spans, arcs = scores(view.total("span_counts")), scores(view.total("arc_counts"))
        summary += (f", {view.total('error_sentences')} with errors; span F1 {spans['f1']:.3f}, "
                    f"relation F1 {arcs['f1']:.3f} (strict)")
    typer.echo(f"{summary}", err=True)
    typer.echo(str(out))


if __name__ == "__main__":
    app()
