"""One error type for every bad input, so the CLI and the GUI can show one clear line."""

from __future__ import annotations


class ConfigError(ValueError):
    """A bad value in a run file or editor field.

    ``field`` is the dotted path of the offending value (``runs[1].schedule.step_size``);
    ``problem`` says what is wrong with it. ``str(error)`` is ``"field: problem"``.
    """

    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)

    def within(self, prefix: str) -> ConfigError:
        """The same error with ``prefix`` put in front of its field path."""
        if not prefix:
            return self
        if not self.field:
            return ConfigError(prefix, self.problem)
        joiner = "" if self.field.startswith("[") else "."
        return ConfigError(f"{prefix}{joiner}{self.field}", self.problem)
