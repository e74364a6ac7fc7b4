"""A run over a folder: options, recipe, walk, plan, tasks, executors, storage, manifest, summary, pipeline.

INPUT and OUTPUT may be local folders or fsspec URLs (``remote``), an OUTPUT in a store held by a lease (``lease``).

The run reaches backends only through :mod:`augment.core.registry`; it never
imports a backend library or a backend module by name.
"""
