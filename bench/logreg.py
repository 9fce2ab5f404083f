"""L2 logistic regression by Newton's method, in numpy: the learned baselines the bench scripts measure
the rules against (a few dozen features at most, so the Hessian is small and a handful of steps fit)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LogReg:
    mean: np.ndarray
    std: np.ndarray
    w: np.ndarray  # weights on the standardised features
    b: float

    def prob(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.std) @ self.w + self.b
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def fit_logreg(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float, steps: int = 50, tol: float = 1e-8
) -> LogReg:
    """Weighted L2 logistic regression on standardised features; the intercept is not shrunk."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0  # a constant feature standardises to 0 either way
    z = np.column_stack([(x - mean) / std, np.ones(len(x))])
    reg = np.full(z.shape[1], l2)
    reg[-1] = 0.0
    theta = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ theta, -40, 40)))
        grad = z.T @ (weight * (p - y)) + reg * theta
        hess = (z * (weight * p * (1 - p))[:, None]).T @ z + np.diag(reg) + 1e-9 * np.eye(len(theta))
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.abs(step).max() < tol:
            break
    return LogReg(mean, std, theta[:-1], float(theta[-1]))


def balanced(y: np.ndarray) -> np.ndarray:
    """Sample weights under which both classes weigh as much in total."""
    return np.where(y == 1, len(y) / (2 * max(y.sum(), 1)), len(y) / (2 * max((1 - y).sum(), 1)))
