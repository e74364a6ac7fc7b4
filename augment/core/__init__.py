"""What every part of augment-dir shares: the Augmenter interface, seeding, files, checks, the registry.

Nothing here imports a backend library; ``run/`` and ``backends/`` both build on it.
"""
