"""The interactive quiz: the session loop, the SQLite history and the next-problem scheduler.

Modules: ``session`` (the terminal loop and scripted mode), ``store`` (the history database), ``scheduler`` (the
adaptive choice of the next problem type), ``stats`` (``examprep stats``). Nothing here imports torch.
"""
