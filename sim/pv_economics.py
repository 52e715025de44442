"""What a dwelling's PV is worth to its energy bill and its CO2: the one rule, three users.

The core (:mod:`sim.core`, per dwelling and variant), the re-pricing of candidates under other
prices (:func:`scenarios.candidates.annual_cost_co2`) and the scenario's year-by-year evolution
(:mod:`scenarios.evolution`) all value PV with these functions:

- the PV used on site is the self-consumption share of the output, at most the electricity the
  dwelling uses (``pv_self_consumption_share`` of ``sim/data/simulation_defaults.csv``, with
  its source);
- on the bill, PV used on site saves the electricity price, the rest earns the injection price;
- in CO2, PV used on site saves the electricity's CO2 factor; exported PV is no negative
  emission of the dwelling (it is reported apart, ``pv_export_co2_kg``).

The functions are numba kernels (they run inside the other kernels) that also take arrays when
called from Python.
"""

from __future__ import annotations

import numpy as np

from sim._jit import jit


@jit
def pv_self_use(pv_kwh, self_share, electricity_kwh):
    """PV used on site [kWh/a]: ``self_share`` of the output, at most the electricity used.

    Examples
    --------
    >>> float(pv_self_use(4000.0, 0.3, 3000.0)), float(pv_self_use(4000.0, 0.3, 500.0))
    (1200.0, 500.0)
    """
    return np.minimum(self_share * pv_kwh, electricity_kwh)


@jit
def pv_bill_credit(pv_kwh, self_use, electricity_price, injection_price):
    """What the PV takes off the energy bill [EUR/a]: the electricity price on the PV used on
    site, the injection price on the rest.

    Examples
    --------
    >>> float(pv_bill_credit(4000.0, 1200.0, 0.30, 0.04))
    472.0
    """
    return electricity_price * self_use + injection_price * (pv_kwh - self_use)


__all__ = ["pv_bill_credit", "pv_self_use"]
