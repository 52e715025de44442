"""The command line ``wijk``: one module per command group.

- ``main.py``: the ``wijk`` application (``demo``, ``bench``, ``serve-bench``, ...), which adds
  the groups below;
- ``twin.py`` (``wijk twin``), ``scenario.py`` (``wijk scenario``), ``trajectory.py``
  (``wijk trajectory``), ``clusters.py`` (``wijk clusters``), ``serve.py`` (``wijk serve``),
  ``tokens.py`` (``wijk token``, ``wijk db``);
- ``demo.py``: the main job on the embedded demo town (``wijk demo``);
- ``loadbench.py``: the service under load (``wijk serve-bench``);
- ``console.py``: the shared console, progress and the Dutch error exit.
"""

from api.cli.main import app

__all__ = ["app"]
