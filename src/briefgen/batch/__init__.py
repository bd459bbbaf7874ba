"""Builds: targets, the one render path, inputs, the manifest, the worker pool and the run."""
