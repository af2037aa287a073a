"""``pyrustgrad.random``, as ``torch.random``: the default generator's seed and state."""

from ._random import (default_generator, fork_rng, get_rng_state, initial_seed, manual_seed, seed,  # noqa: F401
                      set_rng_state)
