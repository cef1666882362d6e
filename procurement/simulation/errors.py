"""The problems the simulation area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import N_, NotFound, ValidationFailed


class SimulationNotFound(NotFound):
    code = "simulation-not-found"
    title = N_("Simulation not found")
    when = N_("No simulation has that id, or it belongs to another organization.")
    template = N_("No simulation with id {simulation_id}.")


class TenderNotSimulable(NotFound):
    code = "tender-not-simulable"
    title = N_("No opened bids to simulate")
    when = N_("A simulation is asked for on a tender whose bids are not opened yet.")
    template = N_(
        "Tender {tender_id} has no opened bids: the rules can be simulated once its bids are "
        "opened."
    )


class SimulationVariantsNotValid(ValidationFailed):
    when = N_(
        "A simulation is run with an unknown preset, an unknown rules field, a value out of "
        "range or too many variants."
    )
    template = N_("The simulation was not run: {shown}.")
