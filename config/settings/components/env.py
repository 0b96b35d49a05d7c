"""Environment access shared by every settings component.

Every setting is read from the process environment (or a `.env` file beside manage.py);
none is required for the embedded default. `.env.example` documents each one.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
_dotenv = BASE_DIR / ".env"
if _dotenv.is_file():
    environ.Env.read_env(_dotenv, overwrite=False)
