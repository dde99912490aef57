"""The migration linter: reads migration files and reports deploy hazards; needs no database.

Its records (and the settings in `gates.config`) are msgspec `Struct`s rather than dataclasses:
every lint defines them at start-up, where Python 3.11 takes most of a millisecond per dataclass,
and the result cache decodes them straight from its JSON with every value's type checked.
"""
