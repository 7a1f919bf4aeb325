"""Fits the rational tanh of org.bigmodels.engine.RowKernels.tanhRational: tanh(x) ~ x P(x^2) / Q(x^2) on [0, 9],
P of degree 6 and Q of degree 3 in x^2, Q(0) = 1. Linearised least squares (x P - tanh(x) Q = 0) re-weighted by
1/|Q| (Loeb's iteration) and by the running error (towards minimax), in the scaled variable (x/9)^2 for conditioning.
Prints the coefficients in x^2 and the float32 error on [-12, 12] (clamped to [-9, 9], where tanh is 1 in float32).
Run: /usr/bin/python3 tools/bench/tanh_fit.py"""
import numpy as np

C, DP, DQ = 9.0, 6, 3
x = np.linspace(1e-4, C, 100001)
y = np.tanh(x)
s = (x / C) ** 2
w, q_val = np.ones_like(x), np.ones_like(x)
for _ in range(40):
    a = np.hstack([np.stack([x * s ** k for k in range(DP + 1)], 1),
                   np.stack([-y * s ** k for k in range(1, DQ + 1)], 1)])
    wt = (w / np.abs(q_val))[:, None]
    sol, *_ = np.linalg.lstsq(a * wt, y * wt[:, 0], rcond=None)
    p, q = sol[:DP + 1], np.concatenate([[1], sol[DP + 1:]])
    q_val = np.polyval(q[::-1], s)
    err = np.abs(x * np.polyval(p[::-1], s) / q_val - y)
    w = w * (1 + err / err.max())
P = [p[k] / C ** (2 * k) for k in range(DP + 1)]
Q = [q[k] / C ** (2 * k) for k in range(DQ + 1)]
print("P", ["%.9e" % v for v in P])
print("Q", ["%.9e" % v for v in Q])
xf = np.linspace(-12, 12, 4000001).astype(np.float32)
xc = np.clip(xf, np.float32(-C), np.float32(C))
sf = xc * xc
pf, qf = np.float32(P[DP]), np.float32(Q[DQ])
for k in range(DP - 1, -1, -1):
    pf = pf * sf + np.float32(P[k])
for k in range(DQ - 1, -1, -1):
    qf = qf * sf + np.float32(Q[k])
t = (xc * pf / qf).astype(np.float32)
print("float32 max |error|", np.abs(t - np.tanh(xf.astype(np.float64))).max())
