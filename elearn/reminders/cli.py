"""`elearn reminders send [--dry-run]`."""
import click
from flask.cli import AppGroup

reminders = AppGroup("reminders", help="E-mail reminders about certificates.")
