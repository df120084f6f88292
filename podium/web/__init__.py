"""Server-rendered pages (the live front end grows here)."""
