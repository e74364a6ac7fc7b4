"""A run over a folder: options, recipe, walk, plan, tasks, executors, storage, manifest, summary, pipeline.

The run reaches backends only through :mod:`augment.core.registry`; it never
imports a backend library or a backend module by name.
"""
