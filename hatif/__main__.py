"""`python -m hatif` (and `torchrun -m hatif`): the same CLI as the `hatif` command."""

from hatif.cli import app

app(prog_name="hatif")
