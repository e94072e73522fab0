"""The engine: batched fitting in log space, uncertainty, law choice, misspecification, trends and reach.

Pure numpy and scipy: no file I/O, no printing.
"""
