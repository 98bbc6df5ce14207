from __future__ import annotations

from datetime import datetime

import strawberry

DateTime = strawberry.scalar(
    name="DateTime",
    description=(
        "A point in time as an ISO 8601 string with its UTC offset, always UTC, "
        'for example "2023-10-16T14:02:00+00:00".'
    ),
    serialize=datetime.isoformat,
    parse_value=datetime.fromisoformat,
)
