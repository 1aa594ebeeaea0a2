"""Importing this module registers every platform connector."""
