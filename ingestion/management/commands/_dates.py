import argparse
import datetime as dt


def iso_date(value: str) -> dt.date:
    """argparse type for YYYY-MM-DD arguments."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date in YYYY-MM-DD form") from None
