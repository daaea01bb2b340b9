"""`make bench`: the API against a raw-PyMongo baseline, on one store, in one run.

Linux only: CPU time is read from /proc, and the load comes from wrk.
"""
