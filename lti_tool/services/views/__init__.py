"""Read models for the pages: the gradebook grid, a student's profile, one cell's evidence.

Each builds everything a page shows in a fixed number of queries, whatever the class size.
"""
