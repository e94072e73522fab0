"""``python -m scaling_forecast``: the ``forecast`` command."""

from .cli import main

main()
