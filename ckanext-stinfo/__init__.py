"""CKAN extension of STInfo, Vietnam's national S&T information catalogue."""
