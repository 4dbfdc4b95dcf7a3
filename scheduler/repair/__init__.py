"""Repair a published roster after absences, changing as little as possible.

``absences`` reads who is away and when (and what a planner pins);
``instance`` turns the published run's instance and roster into the repair's
instance (the absences as unavailability, the past frozen, the published
roster as the reference of the Δ level); ``solve`` re-solves only the parts
the absences touch, warm-started from the published roster; ``diff`` says
what changed — sessions dropped, doctors newly assigned, sessions moved — and
whom to tell.
"""
