"""coop's pure rules engine: constitutions, board composition, resolutions and vote counting.

No I/O, no clock, no web framework or ORM: callers pass plain typed facts in and get outcomes back.
"""
