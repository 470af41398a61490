"""The `hatif` command: one entry point, one subcommand per pipeline step."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Find phone-call events (caller, callee, date, topic) in Arabic news.")


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@app.command()
def validate(files: List[str] = typer.Argument(..., help="Record files (JSON Lines); '-' for stdin.")) -> None:
    """Check record files against the annotation contract; list every violation."""
    from hatif.data.validate import validate_files

    bad = records = 0
    for path in files:
        if path != "-" and not Path(path).is_file():
            _fail(f"{path}: no such file", 2)
    for record, found in validate_files(files):
        records += record is not None
        for violation in found:
            typer.echo(str(violation))
        bad += len(found)
    typer.echo(f"{records} valid record(s), {bad} violation(s) in {len(files)} file(s)", err=True)
    if bad:
        raise typer.Exit(1)


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
             out_dir: Path = typer.Option(Path("data"), help="Root for --split-file output."),
             articles_dir: Optional[Path] = typer.Option(None, help="Also write each article as a raw .txt here."),
             check: bool = typer.Option(False, "--check", help="Compile and validate only; write nothing.")) -> None:
    """Compile hand-authored articles into validated records (offsets computed, never typed)."""
    from hatif.data.corpus import compile_sources

    code = compile_sources(sources, out=out, split_file=split_file, out_dir=out_dir,
                           articles_dir=articles_dir, check=check)
    raise typer.Exit(code)


if __name__ == "__main__":
    app()
