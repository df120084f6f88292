"""Ranking: time values, scoring formats, tie rules and the leaderboard index."""
