"""The backends: one package per modality, each defined by a well-known library.

A backend imports only from :mod:`augment.core` and its own package; it knows
nothing about folders, manifests, executors or storage. A new backend is a
package here with an :class:`~augment.core.augmenter.Augmenter` subclass,
registered in :mod:`augment.core.registry`.
"""
