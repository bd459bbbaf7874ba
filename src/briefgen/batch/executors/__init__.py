"""Executors by name: where a build's documents render (batch.executors.local, batch.executors.dask_cluster)."""
from __future__ import annotations

import importlib

from briefgen.batch.executors.base import Executor, ExecutorChoice, ExecutorSetup, Inputs
from briefgen.errors import COMMAND_LINE, UsageError

#: Every executor: its name (`build --executor NAME`) -> the module and class that implement it. Dask's module
#: imports distributed only when chosen (the optional extra briefgen[dask]).
EXECUTORS: dict[str, tuple[str, str]] = {
    "local": ("briefgen.batch.executors.local", "LocalExecutor"),
    "dask": ("briefgen.batch.executors.dask_cluster", "DaskExecutor"),
}

__all__ = ["EXECUTORS", "Executor", "ExecutorChoice", "ExecutorSetup", "Inputs", "open_executor"]


def open_executor(choice: ExecutorChoice, setup: ExecutorSetup) -> Executor:
    """Start the executor CHOICE names, with SETUP's root, workers and limits."""
    if choice.name not in EXECUTORS:
        raise UsageError(f"no executor named {choice.name!r}", COMMAND_LINE, f"use {' or '.join(EXECUTORS)}")
    if choice.scheduler is not None and choice.name != "dask":
        raise UsageError("a scheduler address goes with the dask executor", COMMAND_LINE, "add --executor dask")
    module, cls = EXECUTORS[choice.name]
    return getattr(importlib.import_module(module), cls)(setup, choice)
