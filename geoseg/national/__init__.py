"""National runs: tasks per municipality and year on Dask, then the national measures.

``geoseg run national.toml`` calls :func:`run_national`. Every register year of every
municipality listed in the national project file is a task (:func:`run_year`: that year's
segregation indices and local hotspot statistics), and every municipality a task that depends
on its years (:func:`run_municipality`: what spans the years, walking access, the results
folder and maps of the ordinary whole job, :func:`geoseg.pipeline.run_project`, into
``<output>/municipalities/<code>/``); the graph is described in :mod:`geoseg.national.plan`.
A municipality's tasks run with a seed derived from the national seed and the municipality
code (:func:`task_seed`), their random streams named by the year. The tasks run on
``dask.distributed``: a :class:`~distributed.LocalCluster` of worker processes by default, or
an existing scheduler; without Dask (or with ``workers=0``) they run one after the other in
this process with the same results. A task that fails is reported with its municipality code
and does not stop the others. A rerun skips each finished task whose inputs are unchanged (a hash
of the inputs per task in ``<output>/national-tasks.json``). Last, the national task
(:func:`run_nation`, on the cluster like the others, after every municipality task) computes the
socio-economic index and area types per area over the whole country and the inequality and
segregation indices and area-type shares per municipality (:mod:`geoseg.segregation.national`)
from the register rows the municipality tasks return; this process writes the national tables
and an index page linking every municipality's maps.

Modules: :mod:`~geoseg.national.plan` (the task graph, seeds, input hashes),
:mod:`~geoseg.national.tasks` (running one task),
:mod:`~geoseg.national.engine` (Dask or serial), :mod:`~geoseg.national.validate` (checks
before a run), :mod:`~geoseg.national.tables` (the national
tables), :mod:`~geoseg.national.page` (the index page), :mod:`~geoseg.national.run`
(:func:`run_national`).
"""

from __future__ import annotations

from geoseg.national.plan import task_seed
from geoseg.national.run import NationalResult, run_national
from geoseg.national.tasks import NATIONAL_TASK, TaskResult, run_municipality, run_nation, run_year
from geoseg.national.validate import validate_national

__all__ = [
    "NATIONAL_TASK",
    "NationalResult",
    "TaskResult",
    "run_municipality",
    "run_nation",
    "run_national",
    "run_year",
    "task_seed",
    "validate_national",
]
