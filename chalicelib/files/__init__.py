"""File formats that need a third-party library, kept out of domain/ (which stays pure).

Below services, so a route and a scheduled job can both write the same file; each
module imports its library inside the function that needs it, so importing the
API Lambda's `app` never pays for it.
"""
