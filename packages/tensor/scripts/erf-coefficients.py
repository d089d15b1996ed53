#!/usr/bin/env python3
"""
Prints the constants of the fixed-cost erf (src/math/erf.ts, and its float64x2 copy in
wasm/transcendental.ts), computed at 40 digits with mpmath:

  |x| < 1/2   erf(x) = x * sum_n TAYLOR[n] x^(2n),  TAYLOR[n] = 2/sqrt(pi) (-1)^n / (n! (2n+1))
  |x| >= 1/2  erfc(z) = t exp(-z^2 + sum_k ERFC[k] y^k),  t = 2/(2+z), y = 2t/T0 - 1, T0 = 2/(2+1/2)

(the second is Numerical Recipes' "erfccheb" change of variable, fitted here on z >= 1/2 only).
The polynomial is the Chebyshev interpolant of degree 22 through 80 Chebyshev nodes, rewritten
in powers of y (its coefficients stay below 1 in size, so Horner's rule loses nothing); the
script measures the result, about 5e-16 relative on (0, 6.5].

  /usr/bin/python3 scripts/erf-coefficients.py     (needs mpmath and numpy)
"""
import math

import numpy as np
from numpy.polynomial import chebyshev

import mpmath as mp

mp.mp.dps = 40
Z0 = mp.mpf(1) / 2
T0 = 2 / (2 + Z0)
TAYLOR_TERMS = 13
CHEBYSHEV_TERMS = 23
NODES = 80


def log_scaled_erfc(y):
    t = (y + 1) * T0 / 2
    z = 2 / t - 2
    return mp.log(mp.erfc(z) / t) + z * z


taylor = [2 / mp.sqrt(mp.pi) * (-1) ** n / (mp.factorial(n) * (2 * n + 1)) for n in range(TAYLOR_TERMS)]
nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / NODES) for k in range(NODES)]
values = [log_scaled_erfc(y) for y in nodes]
cheb = []
for j in range(CHEBYSHEV_TERMS):
    s = sum(values[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / NODES) for k in range(NODES))
    cheb.append(2 * s / NODES / (2 if j == 0 else 1))
taylor = [float(c) for c in taylor]
powers = [float(c) for c in chebyshev.cheb2poly(np.array(cheb, dtype=object))]


def erf64(x):
    a = abs(x)
    if a < 0.5:
        p = 0.0
        for c in reversed(taylor):
            p = p * x * x + c
        return x * p
    t = 2 / (2 + a)
    y = 2.5 * t - 1
    s = 0.0
    for c in reversed(powers):
        s = s * y + c
    r = 1 - t * math.exp(-a * a + s)
    return -r if x < 0 else r


worst = max(abs((erf64(x) - mp.erf(x)) / mp.erf(x)) for x in (i / 4000 for i in range(1, 26001)))
print(f'// max relative error of erf on (0, 6.5]: {float(worst):.2e}')
print('const TAYLOR = [' + ', '.join(repr(c) for c in taylor) + '];')
print('const ERFC = [' + ', '.join(repr(c) for c in powers) + '];')
