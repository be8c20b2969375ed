"""Commands over whole runs and their reports.

compare, diff, bundle, badge and coverage read reports (through ``results``); killmatrix,
tolerance and stability run the whole suite against mutants, variants or one seed N times.
"""
