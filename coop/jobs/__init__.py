"""Work that happens outside requests: a queue on coop's own `job` table and the worker that runs it."""
