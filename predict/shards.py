"""Which shard a `hatif predict` run takes when no --num-shards/--shard-index is given: a Slurm
array task's place in its array, torchrun's rank, or both (an array of torchrun jobs).

Pure: the environment comes in as a mapping, a choice or a ShardError comes out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

FLAGS = "--num-shards/--shard-index"
SLURM = "SLURM_ARRAY_TASK_ID"
TORCHRUN = "RANK"
DEFAULT = "default"
PLACEHOLDER = "{shard}"


class ShardError(ValueError):
    """The flags or the environment name no valid shard; the message says which values clash."""


class ShardChoice(NamedTuple):
    num_shards: int
    shard_index: int
    source: str  # FLAGS, SLURM, TORCHRUN, f"{SLURM} and {TORCHRUN}" or DEFAULT
    ignored: str = ""  # environment variables the flags overrode, for the log

    @property
    def message(self) -> str:
        """One line for the log: "shard 2 of 3 from SLURM_ARRAY_TASK_ID" (indices count from 0)."""
        line = f"shard {self.shard_index} of {self.num_shards} from {self.source}"
        return line + (f" ({self.ignored} ignored)" if self.ignored else "")


def _int(env: Mapping[str, str], name: str) -> int | None:
    if name not in env:
        return None
    try:
        return int(env[name])
    except ValueError:
        raise ShardError(f"{name}={env[name]!r} is not an integer") from None


def _slurm(env: Mapping[str, str]) -> tuple[int, int] | None:
    """(tasks, this task's place) of a Slurm array. Task ids need not start at 0 (--array=1-8) nor
    be consecutive (--array=0-14:2): the place is (id - min) / step, the step following from
    min, max and count; a list that is not evenly spaced (--array=1,2,9) has no such place."""
    task, count = _int(env, SLURM), _int(env, "SLURM_ARRAY_TASK_COUNT")
    if task is None:
        return None
    if count is None or count < 1:
        raise ShardError(f"{SLURM}={task} but SLURM_ARRAY_TASK_COUNT is {env.get('SLURM_ARRAY_TASK_COUNT', 'not set')}")
    low = _int(env, "SLURM_ARRAY_TASK_MIN")
    low = 0 if low is None else low
    high = _int(env, "SLURM_ARRAY_TASK_MAX")
    span = (count - 1) if high is None else high - low
    step, uneven = divmod(span, count - 1) if count > 1 else (1, span)
    place, off_grid = divmod(task - low, step or 1)
    if uneven or off_grid or step < 1 or not 0 <= place < count:
        raise ShardError(f"{SLURM}={task} is not one of {count} evenly spaced task ids from SLURM_ARRAY_TASK_MIN="
                         f"{low} to SLURM_ARRAY_TASK_MAX={env.get('SLURM_ARRAY_TASK_MAX', 'not set')}: "
                         f"use --array=0-{count - 1}, or give {FLAGS}")
    return count, place


def _torchrun(env: Mapping[str, str]) -> tuple[int, int] | None:
    rank, world = _int(env, TORCHRUN), _int(env, "WORLD_SIZE")
    if rank is None and world is None:
        return None
    if rank is None or world is None or not 0 <= rank < world:
        raise ShardError(f"RANK={env.get('RANK', 'not set')} and WORLD_SIZE={env.get('WORLD_SIZE', 'not set')}: "
                         "torchrun sets both, with 0 <= RANK < WORLD_SIZE")
    return world, rank


def pick_shard(num_shards: int | None, shard_index: int | None, env: Mapping[str, str]) -> ShardChoice:
    """The shard of this run: the flags when given (both, never one alone), else the environment.

    Under a Slurm array, task k of n takes shard k of n; under torchrun, rank r of w takes shard r
    of w; under both, every process of every task gets its own shard (task * w + rank of n * w).
    """
    if num_shards is not None or shard_index is not None:
        if num_shards is None or shard_index is None:
            raise ShardError(f"give both --num-shards and --shard-index, or neither (the shard then comes from "
                             f"{SLURM} or torchrun's RANK)")
        if num_shards < 1 or not 0 <= shard_index < num_shards:
            raise ShardError(f"--shard-index must be in [0, {num_shards}) with --num-shards >= 1, got "
                             f"--shard-index {shard_index} --num-shards {num_shards}")
        ignored = ", ".join(f"{name}={env[name]}" for name in (SLURM, TORCHRUN) if name in env)
        return ShardChoice(num_shards, shard_index, FLAGS, ignored)
    array, ranks = _slurm(env), _torchrun(env)
    if array and ranks:
        return ShardChoice(array[0] * ranks[0], array[1] * ranks[0] + ranks[1], f"{SLURM} and {TORCHRUN}")
    if array:
        return ShardChoice(*array, SLURM)
    if ranks:
        return ShardChoice(*ranks, TORCHRUN)
    return ShardChoice(1, 0, DEFAULT)


def shard_path(path: Path, choice: ShardChoice) -> Path:
    """``path`` with {shard} replaced by the shard index: under torchrun every rank gets the same
    command line, so only this keeps their outputs apart (preds.{shard}.jsonl)."""
    return Path(str(path).replace(PLACEHOLDER, str(choice.shard_index)))
