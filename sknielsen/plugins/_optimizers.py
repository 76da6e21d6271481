"""Gradient step rules: SGD, momentum, Nesterov, Adam; Newton and L-BFGS solvers.

``params`` and ``grads`` are flat 1-D arrays holding every weight and bias.
``grads`` is the engine's scratch space, so the rules scale it in place and
return it as the update: one or two NumPy calls per mini-batch. The learning
rate is read from ``state["eta"]`` at every step. The per-step rules declare
the kernel a compiled engine runs for them (``kernel``).
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import Optimizer, Solver
from ._registry import register


@register("optimizer", "sgd")
class SGD(Optimizer):
    """Plain stochastic gradient descent: w ← w − η∇C.

    Examples
    --------
    >>> import numpy as np
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.plugins import SGD
    >>> sgd, params = SGD(), np.zeros(2)
    >>> updates, state = sgd.update(np.array([1.0, -2.0]), {"eta": 0.5}, params)
    >>> updates  # −η∇C, which the loop adds to the parameters
    array([-0.5,  1. ])
    >>> SGD.decouples_decay  # so the loop applies L2 as the book's weight decay
    True
    >>> NielsenMLPClassifier().optimizer  # the estimator's default
    'sgd'
    """

    kernel = "sgd"
    # With L2, w − η(∂C₀/∂w + (λ/n)w) is the book's (1 − ηλ/n)w − η∂C₀/∂w.
    decouples_decay = True

    def update(self, grads, state, params):
        grads *= -state["eta"]
        return grads, state


@register("optimizer", "momentum")
class Momentum(Optimizer):
    """Momentum-based gradient descent (chapter 3 of the book).

    v ← μv − η∇C, then w ← w + v.

    Parameters
    ----------
    mu : float, default=0.9
        Momentum coefficient in [0, 1]; 1 − μ is the "friction". μ = 0 is
        plain SGD; μ > 1 would make the velocity grow without bound and μ < 0
        would reverse it at every step.

    Examples
    --------
    Under a constant gradient g the velocity builds up, towards −ηg/(1 − μ)
    per step (−1 here, ten times plain SGD's step):

    >>> import numpy as np
    >>> from sknielsen.plugins import Momentum
    >>> momentum, params = Momentum(mu=0.9), np.zeros(1)
    >>> state = {**momentum.init(params), "eta": 0.1}
    >>> for step in range(3):
    ...     updates, state = momentum.update(np.ones(1), state, params)
    ...     print(np.round(updates, 3))
    [-0.1]
    [-0.19]
    [-0.271]

    In the estimator, μ is the nested parameter ``optimizer__mu``:

    >>> from sknielsen import NielsenMLPClassifier
    >>> NielsenMLPClassifier().set_params(optimizer="momentum", optimizer__mu=0.5)
    NielsenMLPClassifier(optimizer=Momentum(mu=0.5))
    """

    _parameter_constraints = {"mu": [Interval(Real, 0, 1, closed="both")]}
    kernel = "momentum"

    def __init__(self, mu=0.9):
        self.mu = mu

    def init(self, params):
        return {"velocity": np.zeros_like(params)}

    def update(self, grads, state, params):
        velocity = state["velocity"]
        velocity *= self.mu
        grads *= state["eta"]
        velocity -= grads
        return velocity, state


@register("optimizer", "nesterov")
class Nesterov(Momentum):
    """Nesterov's accelerated gradient, the look-ahead form of momentum.

    v ← μv − η∇C, then w ← w + μv − η∇C. This is the usual rewriting of
    "take the gradient at w + μv" (Sutskever et al. 2013; Bengio et al.
    2013) in terms of the look-ahead parameters, so the gradient is taken at
    the current parameters.

    Parameters
    ----------
    mu : float, default=0.9
        Momentum coefficient in [0, 1].

    Examples
    --------
    From the first step, the update runs ahead of the velocity by μv:

    >>> import numpy as np
    >>> from sknielsen.plugins import Nesterov
    >>> nesterov = Nesterov(mu=0.9)
    >>> state = {**nesterov.init(np.zeros(2)), "eta": 0.1}
    >>> updates, state = nesterov.update(np.array([1.0, -1.0]), state, np.zeros(2))
    >>> print(np.round(updates, 3), np.round(state["velocity"], 3))
    [-0.19  0.19] [-0.1  0.1]
    >>> from sknielsen import NielsenMLPClassifier
    >>> NielsenMLPClassifier(optimizer="nesterov", eta=0.1)
    NielsenMLPClassifier(eta=0.1, optimizer='nesterov')
    """

    kernel = "nesterov"

    def update(self, grads, state, params):
        velocity, state = super().update(grads, state, params)
        # Momentum's step left η∇C in grads; the update μv − η∇C is built there.
        grads *= -1.0
        grads += self.mu * velocity
        return grads, state


@register("optimizer", "adam")
class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): momentum with a per-weight step size.

    Not in the book, which predates it; here because users expect it. With
    g the gradient and t the step number: m ← β₁m + (1 − β₁)g,
    v ← β₂v + (1 − β₂)g², w ← w − η m̂ / (√v̂ + ε), where m̂ = m / (1 − β₁ᵗ) and
    v̂ = v / (1 − β₂ᵗ) correct the bias of starting from zero.

    Parameters
    ----------
    beta1 : float, default=0.9
        Decay of the first-moment estimate, in [0, 1).
    beta2 : float, default=0.999
        Decay of the second-moment estimate, in [0, 1).
    epsilon : float, default=1e-8
        Added to √v̂ for numerical stability; positive and finite in the
        training dtype (``fit`` refuses 1e-50 in float32, where it is 0, and
        so does the check after a callback that sets it).

    Examples
    --------
    The first step moves every parameter by η, whatever its gradient's scale:

    >>> import numpy as np
    >>> from sknielsen.plugins import Adam
    >>> adam, params = Adam(), np.zeros(3)
    >>> state = {**adam.init(params), "eta": 0.001}
    >>> updates, state = adam.update(np.array([100.0, 0.01, -5.0]), state, params)
    >>> print(np.round(updates, 6))
    [-0.001 -0.001  0.001]
    >>> state["step"]  # the step count t of the bias correction
    array([1.])

    Adam wants a much smaller η than the book's SGD:

    >>> from sknielsen import NielsenMLPClassifier
    >>> NielsenMLPClassifier(optimizer="adam", eta=0.001)
    NielsenMLPClassifier(eta=0.001, optimizer='adam')
    """

    _parameter_constraints = {
        "beta1": [Interval(Real, 0, 1, closed="left")],
        "beta2": [Interval(Real, 0, 1, closed="left")],
        # An infinite ε would make every step zero: the bound is open at ∞.
        "epsilon": [Interval(Real, 0, np.inf, closed="neither")],
    }
    kernel = "adam"

    def __init__(self, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def init(self, params):
        # ε is added in the parameters' dtype: one that rounds to 0 there made the
        # first step 0/0 = NaN for every weight of zero gradient (a "divergence" blamed
        # on eta), one that rounds to ∞ made every step zero.
        with np.errstate(over="ignore", under="ignore"):
            in_dtype = params.dtype.type(self.epsilon)
        if not (0 < in_dtype < np.inf):
            info = np.finfo(params.dtype)
            raise ValueError(
                f"Adam's epsilon={self.epsilon:g} (optimizer__epsilon) is {in_dtype:g} in "
                f"{params.dtype.name}, the dtype it is added in: choose a value from "
                f"{info.smallest_subnormal:.3g} to {info.max:.3g}, such as the usual 1e-8."
            )
        zeros = np.zeros_like(params)
        # The step count is a float64 whatever the parameters' dtype: float32 counts
        # exactly up to 2**24 only (2**24 + 1 rounds back), and a long run's count
        # stopped there, with the bias correction of that step forever after.
        return {"m": zeros, "v": zeros.copy(), "step": np.zeros(1)}

    def state_problem(self, state):
        """A step count that is not a whole number from 0 to 2**53, a negative ``v``, or None.

        Parameters
        ----------
        state : dict
            Adam's state: ``m``, ``v`` and the one-float array ``step``.

        Returns
        -------
        problem : str or None
            What is wrong with ``step`` or ``v``, or None when it can be stepped on.
        """
        return self._step_problem(state) or _second_moment_problem(state.get("v"))

    def _step_problem(self, state):
        step = state.get("step")
        if not isinstance(step, np.ndarray) or step.shape != (1,) or step.dtype.kind != "f":
            return (
                f"Adam's step count as {type(step).__name__} {step!r:.60}: it must stay "
                "the array of one float that init made"
            )
        # β**t of a negative or huge t overflows or loses the bias correction.
        t = float(step[0])
        if math.isfinite(t) and 0 <= t < 2**53 and t == int(t):
            return None
        return f"Adam's step count at {t!r}: it counts the steps taken, a whole number >= 0"

    def update(self, grads, state, params):
        m, v, step = state["m"], state["v"], state["step"]
        step += 1
        t = float(step[0])
        m *= self.beta1
        m += (1.0 - self.beta1) * grads
        v *= self.beta2
        v += (1.0 - self.beta2) * (grads * grads)
        m_hat = m / (1.0 - self.beta1**t)
        denominator = np.sqrt(v / (1.0 - self.beta2**t))
        denominator += self.epsilon
        np.divide(m_hat, denominator, out=grads)
        grads *= -state["eta"]
        return grads, state


def _second_moment_problem(v):
    """What is wrong with Adam's ``v``, an average of squared gradients, or None."""
    # The square root of a negative v makes every step NaN: each epoch then "diverges",
    # blamed on eta. A v of another shape or type is the training loop's to refuse.
    if not isinstance(v, np.ndarray) or v.dtype.kind != "f" or v.size == 0:
        return None
    smallest = v.min()  # no temporary array: called once per mini-batch at most
    if smallest < 0:
        return (
            f"Adam's second moment v holds negative values ({smallest:g}): it averages "
            "squared gradients, never below 0"
        )
    return None


@register("optimizer", "newton")
class Newton(Solver):
    """The book's Hessian technique: w ← w − η (H + μI)⁻¹∇C, for small networks.

    Each iteration computes the exact Hessian H of the regularized cost over
    the whole training set, column by column, from central differences of
    backprop gradients (2 × n_params gradient evaluations), and takes a
    Newton step. Away from a minimum H is not positive definite and a plain
    Newton step can climb; the damping μ (Levenberg-Marquardt) keeps every
    accepted step downhill: a step that raises the cost is refused and μ
    grows tenfold, a step that lowers it is kept and μ shrinks tenfold. Near
    a minimum μ becomes negligible and the steps are Newton's. When none of
    ``max_tries`` steps lowers the cost (at a minimum), the iteration keeps
    the weights and the μ it started from.

    It refuses networks with more than ``max_params`` parameters: H has
    n_params² entries. The book's example: a network with 10⁷ weights and
    biases has a Hessian of 10⁷ × 10⁷ = 10¹⁴ entries, far beyond any memory.

    Parameters
    ----------
    damping : float, default=1e-4
        Initial damping μ; positive. Read when the fit starts: the μ of each
        iteration is then kept in the optimizer's state, ``state["damping"]``
        (a callback that changes this hyper-parameter is refused).
    max_params : int, default=5000
        Largest network accepted (5000² float64 entries are 200 MB).
    epsilon : float, default=1e-5
        Step of the finite differences; positive.

    Examples
    --------
    A network small enough for its Hessian: no hidden layer, 16 of the
    digits' pixels and two classes, 34 weights and biases:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> X, y = load_digits(n_class=2, return_X_y=True)
    >>> X = X[:, ::4] / 16
    >>> newton = NielsenMLPClassifier((), optimizer="newton", eta=1.0, epochs=3)
    >>> newton.set_params(random_state=0).fit(X, y).n_iter_
    3
    >>> newton.loss_curve_[-1] < newton.loss_curve_[0]
    True

    A larger network is refused before any work:

    >>> NielsenMLPClassifier((300,), optimizer="newton").fit(X, y)
    Traceback (most recent call last):
    ...
    ValueError: Newton's method needs the 5,702 × 5,702 Hessian of this network, ...
    """

    max_tries = 30
    read_at_start = ("damping",)
    _parameter_constraints = {
        "damping": [Interval(Real, 0, np.inf, closed="neither")],
        "max_params": [Interval(Integral, 1, None, closed="left")],
        "epsilon": [Interval(Real, 0, np.inf, closed="neither")],
    }

    def __init__(self, damping=1e-4, max_params=5000, epsilon=1e-5):
        self.damping = damping
        self.max_params = max_params
        self.epsilon = epsilon

    def init(self, params):
        if params.size > self.max_params:
            raise ValueError(
                f"Newton's method needs the {params.size:,} × {params.size:,} Hessian of this "
                f"network, more than its limit of {self.max_params:,} parameters "
                "(optimizer__max_params). As the book says of a network with 10^7 weights "
                "and biases, the Hessian then has 10^14 entries: use a first-order optimizer."
            )
        # μ is kept in the parameters' dtype: one that rounds to 0 there never grew (0 × 10)
        # and stalled the fit, one that rounds to ∞ made every step nought.
        with np.errstate(over="ignore", under="ignore"):
            damping = np.full(1, self.damping, dtype=params.dtype)
        if not (0 < damping[0] < np.inf):
            info = np.finfo(params.dtype)
            raise ValueError(
                f"Newton's damping={self.damping:g} (optimizer__damping) is {damping[0]:g} in "
                f"{params.dtype.name}, the dtype its state is kept in: choose a value from "
                f"{info.smallest_subnormal:.3g} to {info.max:.3g}, such as the default 1e-4."
            )
        return {"damping": damping}

    def state_problem(self, state):
        """A damping that is not one finite float > 0 in the array init made, or None.

        Parameters
        ----------
        state : dict
            Newton's state: the one-float array ``damping``, the μ of the
            next iteration.

        Returns
        -------
        problem : str or None
            What is wrong with ``damping``, or None when an iteration can use it.
        """
        damping = state.get("damping")
        usable = isinstance(damping, np.ndarray) and damping.dtype.kind == "f"
        if not usable or damping.shape != (1,):
            return (
                f"Newton's damping as {type(damping).__name__} {damping!r:.60}: it must stay "
                "the array of one float that init made; write into it (state['damping'][0] = mu)"
            )
        # A μ of 0 or below shifts the Hessian too little: steps climb, every try is
        # refused, and the fit stalls without a word; a NaN one makes every step NaN.
        mu = float(damping[0])
        if 0 < mu < math.inf:
            return None
        return (
            f"Newton's damping at {mu!r}: the μ of (H + μI) must be a finite number > 0, "
            "as optimizer__damping is"
        )

    def hessian(self, objective, params):
        """Return the symmetric Hessian at ``params`` by central differences of gradients.

        Parameters
        ----------
        objective : FullBatchObjective
            Gives the gradient of the regularized cost over the training set,
            ``objective.gradient(p)``.
        params : ndarray of shape (n_params,)
            Where to take the Hessian.

        Returns
        -------
        hessian : ndarray of shape (n_params, n_params)
            Second derivatives of the cost, in float64.
        """
        point = params.astype(np.float64)
        n = point.size
        hessian = np.empty((n, n))
        for i in range(n):
            original = point[i]
            point[i] = original + self.epsilon
            plus = objective.gradient(point)
            point[i] = original - self.epsilon
            minus = objective.gradient(point)
            point[i] = original
            hessian[:, i] = (plus - minus) / (2.0 * self.epsilon)
        return 0.5 * (hessian + hessian.T)

    def minimize(self, objective, params, state, iterations, iteration_done):
        for _ in range(iterations):
            eta = state["eta"]  # a callback may have changed it
            start = params.astype(np.float64)
            hessian = self.hessian(objective, start)
            cost, gradient = objective.value_and_gradient(start)
            eigenvalues, vectors = np.linalg.eigh(hessian)
            along = vectors.T @ gradient
            damping = float(state["damping"][0])
            for _ in range(self.max_tries):
                shift = damping + max(0.0, -eigenvalues[0])
                candidate = start - eta * (vectors @ (along / (eigenvalues + shift)))
                candidate_cost = objective.value(candidate)
                if candidate_cost < cost:
                    damping = max(damping / 10.0, 1e-12)
                    cost = candidate_cost
                    break
                damping *= 10.0
            else:
                candidate = start  # no step lowers the cost: a (local) minimum
                # Keep the μ this iteration started from: grown tenfold at every try of
                # every iteration at a minimum, it overflowed after a few iterations
                # (one in float32), and the fit was refused for non-finite state.
                damping = float(state["damping"][0])
            # μ is stored in the parameters' dtype, where it must stay finite.
            state["damping"][0] = min(damping, float(np.finfo(state["damping"].dtype).max))
            np.copyto(params, candidate)
            iteration_done(cost)
        return state


# Past gradients L-BFGS may keep: a bound, so that a file cannot ask for a
# memory of 10^12 vectors of all the parameters.
MAX_LBFGS_MEMORY = 1000


@register("optimizer", "lbfgs")
class LBFGS(Solver):
    """Limited-memory BFGS on the whole training set, by ``scipy.optimize.minimize``.

    One epoch is one L-BFGS iteration; training stops earlier when L-BFGS
    converges. The step size comes from L-BFGS's line search, so ``eta`` is
    not used.

    Parameters
    ----------
    memory : int, default=10
        Number of past gradients kept to approximate the Hessian (``maxcor``),
        from 1 to 1,000 (L-BFGS keeps two vectors of all the parameters per
        gradient; the usual values are 3 to 20).
    tol : float, default=1e-8
        Stop when the largest gradient entry falls below this (``gtol``);
        0 runs every epoch.

    Notes
    -----
    Both are handed to scipy when the fit starts: a callback that changes
    one during the fit is refused.

    Examples
    --------
    Each epoch is one L-BFGS iteration over the whole training set; ``eta``
    is not read:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.plugins import LBFGS
    >>> X, y = load_digits(return_X_y=True)
    >>> lbfgs = NielsenMLPClassifier((10,), optimizer=LBFGS(memory=5), epochs=10)
    >>> lbfgs.set_params(random_state=0).fit(X[:500] / 16, y[:500]).n_iter_
    10
    >>> lbfgs.loss_curve_[-1] < lbfgs.loss_curve_[0]
    True
    >>> NielsenMLPClassifier(optimizer="lbfgs", epochs=100)
    NielsenMLPClassifier(epochs=100, optimizer='lbfgs')
    """

    read_at_start = ("memory", "tol")
    reads_eta = False
    _parameter_constraints = {
        "memory": [Interval(Integral, 1, MAX_LBFGS_MEMORY, closed="both")],
        "tol": [Interval(Real, 0, np.inf, closed="left")],
    }

    def __init__(self, memory=10, tol=1e-8):
        self.memory = memory
        self.tol = tol

    def minimize(self, objective, params, state, iterations, iteration_done):
        from scipy.optimize import minimize

        def callback(intermediate_result):
            np.copyto(params, intermediate_result.x)
            iteration_done(intermediate_result.fun)

        result = minimize(
            objective.value_and_gradient,
            params.astype(np.float64),
            jac=True,
            method="L-BFGS-B",
            callback=callback,
            options={"maxiter": iterations, "maxcor": self.memory, "gtol": self.tol},
        )
        np.copyto(params, result.x)
        return state
