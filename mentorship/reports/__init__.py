"""Read-only reports for career offices and partners, and the career office's weekly digest."""
from mentorship.reports import tasks  # noqa: F401  (tasks: the weekly digest, a periodic task of the sweep)
