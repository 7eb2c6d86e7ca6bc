"""The run file: typed, resolved records (``records``), parsing (``parse``), value checks
(``values``) and saving (``save``).

``parse_runfile`` / ``load_runfile`` give a ``RunFile`` whose runs carry their optimizer
and schedule resolved once; raw tables exist only to save the file (``runfile_to_dict``,
``save_runfile``) and for the editor. Change a parsed run with ``edited_run`` /
``edited_runfile``.
"""

from lrsim.core.runfile.parse import (
    edited_run,
    edited_runfile,
    load_runfile,
    parse_runfile,
    read_runfile_data,
    resolve_run,
)
from lrsim.core.runfile.records import (
    DEFAULT_COLORS,
    MAX_PARTICLES,
    MAX_STEPS,
    NoiseConfig,
    ParticlesConfig,
    RunConfig,
    RunFile,
    SurfaceConfig,
    run_noise,
)
from lrsim.core.runfile.save import run_to_dict, runfile_to_dict, save_runfile

__all__ = [
    "DEFAULT_COLORS",
    "MAX_PARTICLES",
    "MAX_STEPS",
    "NoiseConfig",
    "ParticlesConfig",
    "RunConfig",
    "RunFile",
    "SurfaceConfig",
    "edited_run",
    "edited_runfile",
    "load_runfile",
    "parse_runfile",
    "read_runfile_data",
    "resolve_run",
    "run_noise",
    "run_to_dict",
    "runfile_to_dict",
    "save_runfile",
]
