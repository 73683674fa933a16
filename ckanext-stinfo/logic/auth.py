"""Authorisation of STInfo actions."""
from __future__ import annotations

__all__ = ["stinfo_personal_id_match"]


def stinfo_personal_id_match(context, data_dict):
    """Matching personal numbers is for sysadmins only (who pass every check anyway)."""
    return {"success": False}
