"""Heat zoning and grid load: the lokaal warmteplan from the twin and the scenario results.

``demand`` (heat demand and design load per dwelling and year), ``zones`` (sectors, a 100 m grid,
street segments), ``costs`` (levelised cost of heat per zone and strategy, Monte Carlo, advice),
``gridload`` and ``cabins`` (the design-day peak of electrification), ``plan`` (the whole study,
what ``wijk warmte`` runs).
"""
