"""The problems the demo area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import N_, Conflict


class DemoExists(Conflict):
    code = "demo-exists"
    title = N_("The demo exists already")
    when = N_("`procurement demo --keep` runs on a database that holds the demo.")
    template = N_(
        "This database already holds the demo; run `procurement demo` without "
        "--keep (the default, --fresh) to rebuild it."
    )
