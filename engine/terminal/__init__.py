"""What the commands print on a terminal (rich tables): above every stage, below cli.py."""
