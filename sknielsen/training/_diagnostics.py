"""The warnings that a fit gives when it went, or is about to go, wrong.

Inputs that saturate the first layer, an interrupted or diverged run, a
cost that did not fall: each is measured here and told in words that fit
the optimizer. The checks read the fit's network, data, trainer and
configuration and change none of them.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from .. import plugins
from .._core.params import is_builtin
from .._core.warn import warn
from ..plugins._returns import with_article
from ._loop import same_objective

# Training samples on which the cost is compared before and after a fit.
PROBE_SIZE = 1000
#: Outputs whose spread over the probed samples fell below this share of the
#: spread at the start barely depend on the inputs any more.
SATURATED_SPREAD = 0.1
#: A cost above this share of a guess's, with outputs that vary less than
#: SATURATED_SPREAD, is a network that learnt next to nothing from its inputs.
NEARLY_A_GUESS = 0.95
#: Targets whose standard deviation is below this fit to an R² far below 0: the
#: outputs start of order 1 and the errors left are not much smaller. On three data
#: sets (standardized, then scaled), the default regressor's R² at a spread of 1, 0.1,
#: 0.01 and 0.001 was 0.2 to 0.98, -0.2 to 0.8, -15 to -30 and -1,600 to -3,100; at
#: 0.01, 300 epochs, Adam or full-batch descent gave -3 to -13, L-BFGS 0.98. The
#: targets of scikit-learn's estimator checks pass 30 times this threshold unwarned.
SMALLEST_TARGET_SPREAD = 0.01

#: Targets whose root mean square is above this fit badly too: the first errors, as
#: large as y, give gradients as large, whose steps saturate the hidden neurons, and
#: a mean far from 0 is learnt last. On the same three data sets the default
#: regressor's test R², 0.17 to 0.37 on standardized y, fell on each to between -44
#: and -0.01 at a root mean square of 1000 (by the mean, the spread or both), and at
#: 10,000 was at best 0.19 (a spread about 0) and down to -9e5 (a mean of 10,000);
#: L-BFGS, Adam and momentum failed alike. The targets of scikit-learn's estimator
#: checks reach a root mean square of 195.
LARGEST_TARGET_SCALE = 1000.0

#: How the scale warnings end: what to do.
SCALE_ADVICE = (
    "Scale y: sklearn.compose.TransformedTargetRegressor(regressor=..., "
    "transformer=StandardScaler()) fits the network on scaled targets and predicts "
    "in y's units."
)


#: Unbounded outputs whose cost on the training samples is above this multiple of
#: their targets' mean's fit them worse than that one guess (for a quadratic cost,
#: a training R² below -0.1). Measured with the regressor's defaults on three data sets
#: (diabetes, make_regression, noise): standardized targets end at 0.02 to 0.98 of the
#: mean's cost (noise, 0.98); scaled by 0.1 at 0.22 to 1.15, by 0.03 at 1.5 to 3.8, by
#: 0.011 (unwarned before training) at 8 to 26.
WORSE_THAN_A_GUESS = 1.1
#: Targets whose standard deviation is below this are on a small scale beside outputs
#: of order 1: the errors left after training can exceed their spread.
SMALL_TARGET_SPREAD = 0.1
#: Features whose typical largest magnitude is below this are on a small scale for the
#: first layer; and the epochs a model must have trained before it is judged on them.
SMALL_INPUTS = 0.1
EPOCHS_TO_JUDGE = 5
#: An output a of a sigmoid or softmax is saturated when a (1 - a) is below this.
SATURATED_OUTPUT = 1e-6
# |z| beyond which a sigmoid neuron is saturated: σ'(4) ≈ 0.018; and the rows
# on which the saturation is measured (times the neurons: thousands of z values).
SATURATED_Z = 4.0
SATURATION_SAMPLE = 128
# Two data sets whose root mean squares differ by more than this factor were not
# scaled alike: a forgotten scaler changes it by 16 (digits) or 255 (bytes), while
# samples of one distribution differ by well under 2.
SCALE_RATIO = 4.0
# What to try after a failed run, by optimizer name; the others read ``ETA_ADVICE``.
ETA_ADVICE = "the learning rate eta={eta:g} is probably too large: try eta ten times smaller"
OPTIMIZER_ADVICE = {
    "adam": (
        "the learning rate eta={eta:g} is probably too large: Adam moves each weight by "
        "about eta at every step, and eta=0.001 is its usual value"
    ),
    "lbfgs": (
        "L-BFGS chooses its own step sizes and ignores eta: scale the inputs to [0, 1] "
        "(and a regressor's targets to a standard deviation of about 1) and check the "
        "sample weights"
    ),
}


#: Above this η Adam, whose steps are about η long whatever the gradient,
#: fails to learn the digits (test accuracy on ``load_digits_split()``, seeds 0-2:
#: 0.91-0.93 at 0.1, 0.10-0.38 at 0.2, 0.10 at the default 0.5).
ADAM_LARGEST_ETA = 0.1


def warn_if_eta_unsuited(config):
    """Warn, before training, when η is one the optimizer cannot learn with.

    The estimators' default η = 0.5 is the book's, made for SGD; Adam
    given it silently learns next to nothing.
    """
    if _optimizer_name(config.plugins.optimizer) == "adam" and config.eta > ADAM_LARGEST_ETA:
        warn(
            f"eta={config.eta:g} is far too large for Adam, which moves each weight by about "
            "eta at every step; etas made for SGD (the classifier's default 0.5) are not "
            "Adam's. Adam's usual "
            f"eta is 0.001: try 0.001 to 0.01 (at most {ADAM_LARGEST_ETA:g})."
        )


def _saturated_fraction(z):
    """Fraction of the weighted inputs z with |z| > SATURATED_Z (a NaN, from inf - inf, too)."""
    return float(np.mean(~(np.abs(z) <= SATURATED_Z)))


def warn_if_saturating(network, X):
    """Warn when the features' range, not the initializer, saturates the first layer.

    The criterion is measured at the starting weights on up to
    SATURATION_SAMPLE rows: the share of first-layer neurons with |z| > 4 (sigmoid's slope is
    then below 0.02), against the share with the same features min-max
    scaled to [0, 1]. The book's large initializer saturates many neurons on
    well-scaled data too; only the excess is the data's doing.
    """
    if network.activations[0].name not in ("sigmoid", "tanh") or X.shape[0] == 0:
        return
    sample = X[:SATURATION_SAMPLE]
    weights, biases = network.weights[0], network.biases[0]
    # Inputs near the largest float overflow these sums: saturated, as they are.
    with np.errstate(over="ignore", invalid="ignore"):
        saturated = _saturated_fraction(sample @ weights + biases)  # sparse rows stay sparse
    if saturated < 0.5:  # the usual case, told without the scaled reference
        return
    low, high = _column_ranges(sample)
    # Half the range, which cannot overflow (high - low can); halving is exact.
    half_span = high / 2 - low / 2
    half_span[half_span == 0] = 1.0
    # ((sample - low) / span) @ W, that is (sample / 2 / half_span) @ W - (low / 2 / half_span) @ W:
    # sparse rows stay sparse (128 dense rows of a million columns are 1 GB).
    z_scaled = _halved_over(sample, half_span) @ weights - (low / 2 / half_span) @ weights
    reference = _saturated_fraction(z_scaled + biases)
    if saturated - reference >= 0.25:
        warn(
            f"The inputs saturate the first layer: at the starting weights {saturated:.0%} of "
            f"its weighted inputs have |z| > {SATURATED_Z:g}, against {reference:.0%} with the "
            f"features scaled to [0, 1] (X ranges over [{low.min():g}, {high.max():g}]), "
            "so learning will be slow or stall. Scale the inputs first: "
            "sklearn.preprocessing.MinMaxScaler or StandardScaler in a Pipeline, or X / 255 "
            "for pixels."
        )


def _column_ranges(sample):
    """Each column's smallest and largest value in ``sample`` (dense, or sparse: zeros count)."""
    if sp.issparse(sample):
        return sample.min(axis=0).toarray().ravel(), sample.max(axis=0).toarray().ravel()
    return sample.min(axis=0), sample.max(axis=0)


def _halved_over(sample, half_span):
    """``sample / 2 / half_span``, column by column, as a new array; sparse stays sparse."""
    if sp.issparse(sample):
        scaled = sp.csr_matrix(sample, copy=True)
        scaled.data /= 2
        scaled.data /= half_span[scaled.indices]
        return scaled
    scaled = sample / 2
    scaled /= half_span
    return scaled


#: Rows on which the input scale of a data set is measured.
SCALE_ROWS = 1000


def input_scale(X):
    """The root mean square of the entries of ``X`` (dense, or sparse CSR), or None.

    One number for a whole data set: the typical size of an input, which a
    forgotten scaler changes by the scale itself (16 for digits' 0..16
    pixels against [0, 1], 255 for bytes). None when there is nothing to
    compare with: all zeros, or a scale beyond float64 (every caller's ``X``
    holds a row and a feature at least, as validation made it). Up to
    ``SCALE_ROWS`` rows, evenly spaced, stand for the whole set: the
    warnings compare scales that differ four times or more, and a pass over
    a large training set would cost a tenth of an epoch at every fit.
    """
    if X.shape[0] > SCALE_ROWS:
        X = X[:: -(-X.shape[0] // SCALE_ROWS)]
    values = (X.data if sp.issparse(X) else X).ravel()
    scale = _root_mean_square(values, X.shape[0] * X.shape[1])
    return scale if 0 < scale < np.inf else None


def _root_mean_square(values, n_entries):
    """sqrt(sum of ``values`` squared / ``n_entries``), even where the squares leave float64.

    Values beyond 1e154 (or below 1e-154) square to inf (or 0): these are
    measured on values / max|value| instead, or the rows furthest off scale
    would pass unmeasured.
    """
    with np.errstate(over="ignore", under="ignore"):
        scale = float(np.sqrt(np.einsum("i,i->", values, values, dtype=np.float64) / n_entries))
        largest = float(np.max(np.abs(values), initial=0.0)) if not 0 < scale < np.inf else 0.0
        if 0 < largest < np.inf:
            scaled = values / largest
            mean_square = np.einsum("i,i->", scaled, scaled, dtype=np.float64) / n_entries
            scale = largest * float(np.sqrt(mean_square))
    return scale


#: Fewer rows than this vary in scale by chance: one row at a time, the rows of six
#: data sets scaled by a StandardScaler or a MinMaxScaler (iris, wine, digits, breast
#: cancer, diabetes, moons) had 0.089 to 6.2 times the data's root mean square (two rows
#: at a time 0.25 to 4.4, ten 0.55 to 2.2): small ones are near the mean, not on
#: another scale. Fewer rows are warned of only beyond FEW_ROWS_RATIOS: the same sets
#: unscaled are 7.7 to 800 times their scaled rows' (digits 7.9 and 15.9, bytes 255),
#: and rows scaled to [0, 1] for a model of bytes 1/255 of theirs.
FEWEST_ROWS = 10
FEW_ROWS_RATIOS = (1 / 64, 8.0)


def warn_if_rescaled(
    reference,
    X,
    what,
    against,
    advice,
    consequence="the network sees inputs unlike those it was trained on",
):
    """Warn when ``X`` is on another scale than data of input scale ``reference``.

    Fewer than FEWEST_ROWS rows are warned of only on a scale far larger or
    smaller (FEW_ROWS_RATIOS): a row or two near the data's mean has a root
    mean square far below the data's.

    Parameters
    ----------
    reference : float or None
        :func:`input_scale` of the data the network was trained on; None
        (a model loaded from a file of format version 1 or 2) checks nothing.
    X : ndarray or sparse matrix
    what, against : str
        How the message names ``X`` and the reference data.
    advice : str
        The message's last sentence: what to do.
    consequence : str
        What goes wrong, after "so": by default, for inputs.
    """
    scale = input_scale(X)
    if reference is None or scale is None:
        return
    ratio = scale / reference
    low, high = FEW_ROWS_RATIOS if X.shape[0] < FEWEST_ROWS else (1 / SCALE_RATIO, SCALE_RATIO)
    if low <= ratio <= high:
        return
    size = f"{ratio:.3g} times" if ratio > 1 else f"1/{1 / ratio:.3g} of"
    warn(
        f"{what} is on another scale than {against}: the root mean square of its values is "
        f"{size} that of {against} ({scale:.3g} against {reference:.3g}), so {consequence}. "
        f"{advice}"
    )


def warn_about(config, trainer, probe):
    """Say how training ended when it was not as asked, and which weights the model holds.

    Parameters
    ----------
    config : RunConfig
    trainer : Trainer
        After the run.
    probe : CostProbe
        Made before the run.
    """
    if trainer.bad_write is not None:
        warn(f"{trainer.bad_write}; training stopped there and {_kept_weights(trainer)}")
    elif trainer.ending == "interrupted":
        warn("Training interrupted; " + _kept_weights(trainer))
    elif trainer.ending == "diverged" and (unread := unread_rows(probe.data)):
        _warn_inputs_not_finite(trainer, unread, probe.data.X)
    elif trainer.ending == "diverged" and not np.isfinite(probe.before):
        _warn_not_finite_from_start(trainer, probe, config.lmbda)
    elif trainer.ending == "diverged":
        _warn_divergence(config, trainer)
    elif trainer.ending == "stopped" and trainer.stopped_by is None:
        # Only callbacks are told to raise it; a plugin's step (or a solver) did.
        warn(
            "StopTraining was raised outside the callbacks (by a plugin) during epoch "
            f"{trainer.epoch + 1}, whose steps so far are dropped; {_kept_weights(trainer)}"
        )
    elif trainer.ending == "stopped" and _work_lost(trainer):
        name, hook = trainer.stopped_by
        if hook == "on_batch_end":
            hook += f" during epoch {trainer.epoch + 1}, whose steps so far are dropped"
        warn(f"The callback {name} stopped training in {hook}; {_kept_weights(trainer)}")
    elif trainer.epochs_run:
        probe.check(config.plugins.optimizer, config.lmbda)


def _work_lost(trainer):
    """Whether a callback's StopTraining cut an epoch short, or came before any."""
    return trainer.stopped_by[1] == "on_batch_end" or trainer.epochs_run == 0


def _warn_divergence(config, trainer):
    """Say that training diverged, which weights are kept, and what to try."""
    optimizer = config.plugins.optimizer
    advice = _advice(optimizer, trainer.eta, config.lmbda)
    message = (
        f"Training diverged in epoch {trainer.diverged_epoch}: the cost or the weights "
        f"overflowed, so training stopped; {_kept_weights(trainer)} "
        f"{advice[0].upper()}{advice[1:]}"
    )
    decay = trainer.penalty.decay_factor(trainer.eta)
    steps_by_eta = _optimizer_name(optimizer) not in OPTIMIZER_ADVICE
    l2 = config.plugins.regularizer.name == "l2"
    if steps_by_eta and l2 and decay is not None and decay < -1.0:
        message += (
            f"; with L2 the weight decay factor 1 - eta*lmbda/n = {decay:.3g} is below "
            "-1, which alone makes the weights grow at every step: lower eta or lmbda"
        )
    # Their results are not checked one by one (a pass over every value at every step):
    # a NaN from one diverges as too large an eta does, which no eta mends.
    plugins = {**config.plugins.as_dict(), "augment": config.augmenter}
    for name, plugin in plugins.items():
        if plugin is None or name == "initializer":
            continue
        if not is_builtin(plugin):
            kind = getattr(plugin, "kind", None) or name.replace("_", " ")
            message += (
                f"; or {type(plugin).__name__}, {with_article(kind)} of your own, returned "
                f"values that are not finite"
            )
    warn(message + ".", ConvergenceWarning)


def rows_not_finite(X):
    """How many rows of ``X`` (dense or sparse CSR) hold NaN or an infinity."""
    if sp.issparse(X):
        bad = ~np.isfinite(X.data)
        if not bad.any():
            return 0
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        return len(np.unique(rows[bad]))
    return int(np.count_nonzero(~np.isfinite(X).all(axis=1)))


#: Where NaN in X comes from, once the estimators' checks of it are skipped.
UNCHECKED_INPUTS = "which scikit-learn's assume_finite=True let through unchecked"


def not_finite(dtype):
    """What a value that is not finite in data of ``dtype`` was: beyond float32, a number."""
    if np.dtype(dtype) == np.float32:
        return "NaN, infinity or numbers beyond float32's range"
    return "NaN or infinity"


def unread_rows(data):
    """The rows of X, y and sample_weight holding NaN or infinity, by name, where any do.

    Parameters
    ----------
    data : TrainingData
        What the run trained on, or its validation set: the targets
        encoded, the weights with the class weights folded in.

    Returns
    -------
    unread : dict
        ``{'X': 2, 'sample_weight': 1}``, say; empty when all are finite.
    """
    counts = {"X": rows_not_finite(data.X), "y": rows_not_finite(data.Y)}
    if data.sample_weight is not None:
        counts["sample_weight"] = int(np.count_nonzero(~np.isfinite(data.sample_weight)))
    return {name: count for name, count in counts.items() if count}


def _warn_inputs_not_finite(trainer, unread, X):
    """Say which rows of the training data were not finite: scikit-learn trusted them.

    ``unread`` maps ``'X'``, ``'y'`` or ``'sample_weight'`` to its count of
    such rows (:func:`unread_rows`); ``X`` is the training inputs as trained on.
    """
    where = " and ".join(
        f"{name} holds {not_finite(X.dtype)} in {count} of its {X.shape[0]} rows"
        for name, count in unread.items()
    )
    warn(
        f"Training diverged in epoch {trainer.diverged_epoch}: {where}, {UNCHECKED_INPUTS}; "
        f"drop or fill them, and fit again. As it is, {_kept_weights(trainer)}",
        ConvergenceWarning,
    )


def _warn_not_finite_from_start(trainer, probe, lmbda):
    """Say that the cost was not finite before any step: no learning rate is to blame."""
    start = (
        f"Training diverged in epoch {trainer.diverged_epoch}, but the cost was already "
        f"{probe.before:.4g} at the weights this fit started from, before any step"
    )
    if np.isfinite(probe.data_before):  # the penalty alone: a lmbda beyond the dtype's range
        regularizer = _as_given(trainer.penalty.regularizer)
        warn(
            f"{start}: its penalty (regularizer={regularizer}, lmbda={lmbda:g}) is not finite in "
            f"{trainer.network.dtype.name} (the data's cost is {probe.data_before:.4g}), so "
            f"the learning rate is not the cause: lower lmbda; {_kept_weights(trainer)}",
            ConvergenceWarning,
        )
        return
    *hidden, output = trainer.network.activations
    named = [f"cost={_as_given(trainer.cost)}"]
    named += [f"activation={_as_given(hidden[0])}"] if hidden else []
    named += [f"output_activation={_as_given(output)}"]
    # Targets of huge magnitude (a regressor's y of 1e200) overflow any cost by themselves.
    largest = float(np.max(np.abs(probe.Y), initial=0.0))
    warn(
        f"{start}, so the learning rate is not the cause: the targets (|y| up to {largest:.3g}; "
        f"scale them), {', '.join(named)}, the initializer or the starting weights give values "
        f"that are not finite; {_kept_weights(trainer)}",
        ConvergenceWarning,
    )


def _as_given(plugin):
    """A plugin as its parameter gives it: ``'l2'`` by name, or an unregistered one's class."""
    try:
        return repr(plugins.name_of(plugin))
    except ValueError:  # unregistered, or a subclass that inherits a registered name
        return type(plugin).__name__


def _kept_weights(trainer):
    """The truth about which weights the model holds after a run that did not finish."""
    if trainer.kept_epoch == 0:
        text = "the model holds the weights it started from (no epoch completed)"
    else:
        text = f"the model holds the weights after epoch {trainer.kept_epoch}"
    if trainer.kept_epoch != trainer.epoch:
        text += f", the best one kept (epoch {trainer.epoch} was the last completed)"
    return text + "."


def _optimizer_name(optimizer):
    """The registered name of ``optimizer``, or None for one that is not registered."""
    try:
        return plugins.name_of(optimizer)
    except ValueError:
        return None


def _advice(optimizer, eta, lmbda):
    """What to try after a failed run, in words that fit the optimizer."""
    advice = OPTIMIZER_ADVICE.get(_optimizer_name(optimizer), ETA_ADVICE).format(eta=eta)
    return advice + (f"; lmbda={lmbda:g} may also be too strong" if lmbda else "")


class CostProbe:
    """A cheap guard against silent failure: training must have learnt something.

    On up to ``PROBE_SIZE`` training samples of nonzero weight: the cost
    that training minimizes (weighted, penalty included) must fall; and a
    classifier must do better than one guess for every sample, the
    targets' mean, unlike a network whose output units saturated (its
    outputs then barely depend on the inputs). The forward passes are the
    trainer's (:meth:`Trainer.sample_costs`: the C engine's when it trains).

    Parameters
    ----------
    trainer : Trainer
        Before the run.
    data : TrainingData
        What the run trains on.
    regression : bool, default=False
        Whether the targets are a regressor's, which the user can scale: a
        classifier's one-hot targets are as they must be, however rare a
        class.
    """

    def __init__(self, trainer, data, *, regression=False):
        self.trainer = trainer
        self.regression = regression
        if data.sample_weight is None:
            rows, self.weights = np.arange(min(PROBE_SIZE, data.X.shape[0])), None
        else:
            rows = np.flatnonzero(data.sample_weight)[:PROBE_SIZE]
            self.weights = data.sample_weight[rows]
        # The rows are read where they are: the C engine checked the matrix once.
        self.data, self.rows, self.Y = data, rows, data.Y[rows]
        # A callback may change the cost (a setting of its plugin, λ): "before" is then
        # measured again, with the cost the fit ends with, at the weights it started
        # from, kept here. Only with callbacks of one's own: the built-in ones change η.
        self._objective = trainer.objective()
        own = any(not is_builtin(c) for c in trainer.callbacks)
        self._start = trainer.network.params.copy() if own else None
        self._measure_start()

    def _measure_start(self):
        """Measure the guess and the network, at the current weights, with the cost as it is."""
        # Relative weights: weights near the float64 limit would overflow np.average's sum,
        # leaving a NaN guess that silently turned the saturation check off.
        relative = None if self.weights is None else self.weights / self.weights.max()
        with np.errstate(all="ignore"):  # a regressor's targets of 1e200: inf, as the cost
            mean = np.average(self.Y, axis=0, weights=relative)
            guess = np.broadcast_to(mean, self.Y.shape)
            guess_costs = self.trainer.output_costs(guess.astype(self.Y.dtype), self.Y)
            # The targets' weighted variance, p (1 - p) for a class of weighted share p:
            # below SATURATED_OUTPUT the guess is itself a saturated output, and the answer.
            variance = np.average((self.Y - mean) ** 2, axis=0, weights=relative)
            self.target_spreads = np.sqrt(variance)
            self.target_scales = np.sqrt(np.average(self.Y**2, axis=0, weights=relative))
        self.guess_cost = self.trainer.mean_cost(guess_costs, self.weights)
        self.one_guess_fits = float(np.max(variance, initial=0.0)) < SATURATED_OUTPUT
        self.before, self.data_before, outputs = self._measure()
        self.spread_before = _spread(outputs)

    def _measure_start_again(self):
        """Measure at the starting weights again if a callback changed the cost since.

        Else the costs of two functions were compared: a cost a callback
        scaled up was reported as training that failed ("eta is probably too
        large"), one scaled down hid a fit that never moved.
        """
        if self._start is None or same_objective(self._objective, self.trainer.objective()):
            return
        params = self.trainer.network.params
        end = params.copy()
        np.copyto(params, self._start)
        try:
            self._measure_start()
        finally:
            np.copyto(params, end)

    def _measure(self):
        """The regularized cost, the data's cost and the outputs, at the current weights."""
        costs, outputs = self.trainer.sample_costs(self.data.X, self.data.Y, self.rows)
        data_cost = self.trainer.mean_cost(costs, self.weights)
        return self.trainer.regularized_mean(costs, self.weights), data_cost, outputs

    def check(self, optimizer, lmbda):
        self._measure_start_again()
        after, data_cost, outputs = self._measure()
        epochs = _epochs(self.trainer.epochs_run)
        advice = _advice(optimizer, self.trainer.eta, lmbda)
        if after == self.before:
            # Not one change: blaming too large a step (and advising a smaller one) misled
            # at eta=1e-12 in float32, and on a network saturated by an earlier fit.
            warn(
                f"The training cost did not decrease: it stayed {after:.4g} over {epochs}, "
                f"{self._unchanged_advice(optimizer)}.",
                ConvergenceWarning,
            )
        elif not after < self.before:
            warn(
                f"The training cost did not decrease ({self.before:.4g} before this fit, "
                f"{after:.4g} after {epochs}): {advice}.",
                ConvergenceWarning,
            )
        elif self._no_better_than_a_guess(data_cost, outputs):
            warn(
                f"After {epochs} the network does no better than one guess for every "
                f"sample: its cost on the training samples, {data_cost:.4g}, is no lower "
                f"than that of their targets' mean ({self.guess_cost:.4g}), and its "
                "outputs barely depend on the inputs (saturated units, which learn "
                f"slowly): {advice}.",
                ConvergenceWarning,
            )
        elif (scale := self._small_scale_learnt_nothing(data_cost, outputs)) is not None:
            warn(
                f"After {epochs} the network does about as well as one guess for every "
                f"sample: its cost on the training samples, {data_cost:.4g}, is "
                f"{data_cost / self.guess_cost:.0%} of that of their targets' mean "
                f"({self.guess_cost:.4g}), and its outputs vary by {_spread(outputs):.2g} "
                "at most across them: it has learnt next to nothing from the inputs, whose "
                f"features are on a small scale (a typical one reaches {scale:.3g} at "
                "most), which the first layer "
                "learns from very slowly. Scale the features to [0, 1] "
                "(sklearn.preprocessing.MinMaxScaler in a Pipeline).",
                ConvergenceWarning,
            )
        elif self._worse_than_a_guess(data_cost):
            warn(
                f"After {epochs} the network fits its training samples worse than one guess "
                f"for every sample, their targets' mean: its cost on them, {data_cost:.4g}, is "
                f"{data_cost / self.guess_cost:.3g} times the mean's ({self.guess_cost:.4g}). "
                f"{self._worse_than_a_guess_advice()}",
                ConvergenceWarning,
            )

    def _unchanged_advice(self, optimizer):
        """Why a cost may not change at all, in words that fit the optimizer."""
        dtype = self.trainer.network.dtype
        causes = (
            "the gradients may vanish (saturated units or dead ReLUs: scale the inputs to "
            "[0, 1]), or training had already converged"
        )
        if _optimizer_name(optimizer) == "lbfgs":
            return f"so L-BFGS found no step that changed it: {causes}"
        return (
            f"so no step changed the weights enough to move it: eta={self.trainer.eta:g} "
            f"may be too small for {dtype.name} (relative precision "
            f"{np.finfo(dtype).eps:.1g}), {causes}"
        )

    def _bounded_outputs(self):
        """Whether the outputs are a sigmoid's or a softmax's, bounded to [0, 1]."""
        return self.trainer.network.activations[-1].name in ("sigmoid", "softmax")

    def _small_scale_learnt_nothing(self, data_cost, outputs):
        """The features' typical scale, where small inputs left bounded outputs a guess; or None.

        Unsaturated, they are what features on a small scale give (the
        digits' pixels in [0, 0.01] score 0.10): the first layer's gradients,
        and its weights' effect on z, shrink with the inputs. Only small
        features are blamed, by their largest values (one-hot and sparse
        inputs in [0, 1] have a small mean square, not small features), and
        only after EPOCHS_TO_JUDGE epochs of the model: after an epoch or two
        (a first ``partial_fit``) a network may be as near a guess, and only
        needs more training.
        """
        near_a_guess = (
            self._bounded_outputs()
            and self.trainer.epoch >= EPOCHS_TO_JUDGE
            and not self.one_guess_fits
            and self.guess_cost > 0
            and data_cost > NEARLY_A_GUESS * self.guess_cost
            and _spread(outputs) < SATURATED_SPREAD
        )
        if not near_a_guess:  # the usual case: X is not read again
            return None
        scale = _typical_feature_scale(self.data.X)
        return scale if scale < SMALL_INPUTS else None

    def _worse_than_a_guess(self, data_cost):
        """Whether unbounded outputs fit the training samples clearly worse than their mean.

        Bounded outputs that do are told by :meth:`_no_better_than_a_guess`,
        when saturated. Judged after EPOCHS_TO_JUDGE epochs of the model, as
        a first ``partial_fit`` may only need more training.
        """
        return (
            not self._bounded_outputs()
            and self.trainer.epoch >= EPOCHS_TO_JUDGE
            and self.guess_cost > 0
            and data_cost > WORSE_THAN_A_GUESS * self.guess_cost
            and not (self.regression and self._scale_told_before_training())
        )

    def _smallest_target_spread(self):
        """The smallest standard deviation of an output that varies over the probed rows."""
        spreads = self.target_spreads[self.target_spreads > 0]
        return float(np.min(spreads, initial=np.inf))

    def _largest_target_scale(self):
        """The largest root mean square of an output over the probed rows."""
        return float(np.max(self.target_scales, initial=0.0))

    def _scale_told_before_training(self):
        """Whether the regressor's scale warnings surely told of these targets before training.

        The probed rows estimate the spread and scale the warnings measure on
        every row: a margin of 2 leaves no targets that neither warns of.
        """
        return (
            self._smallest_target_spread() < SMALLEST_TARGET_SPREAD / 2
            or self._largest_target_scale() > 2 * LARGEST_TARGET_SCALE
        )

    def _worse_than_a_guess_advice(self):
        """What to do: scale a regressor's targets if they are off scale, else train differently."""
        # A classifier's one-hot columns are as they must be: a rare class varies little.
        advice = self._target_scale_advice() if self.regression else None
        return advice or (
            "It has not learnt even their mean: train for more epochs, try another eta "
            "(or optimizer), or a smaller lmbda."
        )

    def _target_scale_advice(self):
        """Targets on a small or large scale, if they are, and how to scale them; else None."""
        smallest, largest = self._smallest_target_spread(), self._largest_target_scale()
        if smallest < SMALL_TARGET_SPREAD:
            return (
                f"The targets vary on a small scale (a standard deviation of {smallest:.3g}) "
                "beside the network's outputs, of order 1 at the start: the errors left, "
                f"small as numbers, are large beside them. {SCALE_ADVICE}"
            )
        if largest > LARGEST_TARGET_SCALE:
            return (
                f"The targets lie on a large scale (a root mean square of {largest:.3g}) "
                f"beside the network's outputs, of order 1 at the start. {SCALE_ADVICE}"
            )
        return None

    def _no_better_than_a_guess(self, data_cost, outputs):
        """Whether saturated outputs, nearly the same for every sample, fit no better than a guess.

        A network whose best is one guess for all is not warned about: the
        weights leave one class to learn (sample weights on one class, or
        class weights of 1000 against 0.0001), and outputs saturated into it
        are right.
        """
        return (
            self._bounded_outputs()
            and not self.one_guess_fits
            and self.guess_cost > 0
            and data_cost >= self.guess_cost
            and _spread(outputs) < SATURATED_SPREAD * self.spread_before
            and np.mean(outputs * (1 - outputs) < SATURATED_OUTPUT) >= 0.5
        )


def _typical_feature_scale(X):
    """The median, over the features that are not all zero, of each one's largest magnitude."""
    if sp.issparse(X):
        largest = abs(X).max(axis=0).toarray().ravel()  # a copy of the stored values only
    else:  # without a copy of X
        largest = np.maximum(X.max(axis=0), -X.min(axis=0))
    largest = largest[largest > 0]
    return float(np.median(largest)) if largest.size else np.inf


def _spread(outputs):
    """The largest range of an output over the samples (the probe's, one at least)."""
    with np.errstate(over="ignore"):  # outputs near the largest float: an infinite range
        return float(np.max(np.ptp(outputs, axis=0), initial=0.0))


def _epochs(n):
    return f"{n} epoch{'s' if n != 1 else ''}"
