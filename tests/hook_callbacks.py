"""A base for the tests' callbacks that act in one hook they are given."""

from sknielsen.callbacks import Callback

#: The hooks outside the mini-batches. ``on_batch_end`` is left out: a callback that
#: defines it makes the C engine train mini-batch by mini-batch.
HOOKS_OUTSIDE_BATCHES = ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end")


class ActsInHooks(Callback):
    """A callback whose hooks outside the mini-batches each call ``self._act(trainer, hook)``.

    Subclasses define ``_act``, which decides by ``hook`` (and the trainer's
    counters) whether to do anything.
    """

    def _act(self, trainer, hook):
        raise NotImplementedError


for _hook in HOOKS_OUTSIDE_BATCHES:
    setattr(ActsInHooks, _hook, lambda self, trainer, hook=_hook: self._act(trainer, hook))
