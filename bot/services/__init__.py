"""Use cases: functions that take their dependencies as parameters.

The scheduler's jobs and the CLI's commands each call one of these and do nothing else.
"""
