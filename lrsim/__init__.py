"""lrsim: watch optimizers walk loss surfaces under learning-rate schedules."""

__version__ = "0.1.0"
